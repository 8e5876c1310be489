// tests/bench/rtmp_paced_publisher.cpp
//
// The publisher of the latency and capacity benchmarks: reads an FLV clip (H.264 + AAC, made by
// ffmpeg) and sends its tags at real-time pace to one or many RTMP servers (one connection per
// URL, all from this one thread: cheap enough for 100 streams on a 2-core host), looping the
// clip with rising timestamps for --seconds. URL "-" writes an FLV stream to stdout at the same
// pace instead (for gst-launch's fdsrc). With --log, writes the wall-clock time each frame of
// the first URL was handed to the kernel: "<v|a> <dts ms> <key 0|1> <unix time ns>" per line.
//   hub_rtmp_paced_publisher --clip FILE.flv (--url URL ... | --urls FILE) [--seconds S]
//                            [--log FILE] [--width W --height H --fps F]
// Prints one summary line at the end (frames, late frames, worst lag, failures); exits 1 when
// a connection failed.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "media/hls/tests/flv_clip.h"
#include "media/restream/rtmp_client.h"
#include "media/rtmp/amf0.h"
#include "media/rtmp/message.h"

namespace {

using hub::media::Codec;
using hub::media::Frame;
using hub::media::TrackInfo;
namespace rtmp = hub::media::rtmp;
namespace restream = hub::media::restream;

// FLV tag bodies (the RTMP message payloads) for the clip's tracks and frames.
rtmp::Bytes sequenceHeader(const TrackInfo& t) {
  rtmp::Bytes body =
      t.codec == Codec::Aac ? rtmp::Bytes{0xaf, 0x00} : rtmp::Bytes{0x17, 0x00, 0x00, 0x00, 0x00};
  body.insert(body.end(), t.codecData.begin(), t.codecData.end());
  return body;
}

rtmp::Bytes frameBody(const Frame& f) {
  auto data = f.data.view();
  rtmp::Bytes body;
  body.reserve(data.size() + 5);
  if (f.codec == Codec::Aac) {
    body = {0xaf, 0x01};
  } else {
    auto cts = static_cast<std::uint32_t>((f.ptsUs - f.dtsUs) / 1000);
    body = {static_cast<std::uint8_t>(f.keyFrame ? 0x17 : 0x27), 0x01, static_cast<std::uint8_t>(cts >> 16),
            static_cast<std::uint8_t>(cts >> 8), static_cast<std::uint8_t>(cts)};
  }
  body.insert(body.end(), data.begin(), data.end());
  return body;
}

rtmp::Bytes metadata(const std::vector<TrackInfo>& tracks) {
  using rtmp::Amf0Value;
  std::vector<rtmp::Amf0Property> props;
  for (const auto& t : tracks) {
    if (t.codec == Codec::Aac) {
      props.push_back({"audiocodecid", Amf0Value::number(10)});
      props.push_back({"audiosamplerate", Amf0Value::number(t.sampleRate)});
      props.push_back({"audiochannels", Amf0Value::number(t.channels)});
    } else {
      props.push_back({"width", Amf0Value::number(t.width)});
      props.push_back({"height", Amf0Value::number(t.height)});
      props.push_back({"framerate", Amf0Value::number(t.frameRate)});
      props.push_back({"videocodecid", Amf0Value::number(7)});
    }
  }
  return rtmp::encodeAmf0({Amf0Value::string("@setDataFrame"), Amf0Value::string("onMetaData"),
                           Amf0Value::ecmaArray(std::move(props))});
}

// One destination: an RTMP connection, or an FLV byte stream on stdout.
class Output {
 public:
  virtual ~Output() = default;
  virtual hub::Status send(std::uint8_t type, std::uint32_t tsMs, const rtmp::Bytes& body) = 0;
  virtual hub::Status service() { return hub::Status(); }
};

class RtmpOutput final : public Output {
 public:
  RtmpOutput(restream::RtmpUrl url, const restream::RestreamOptions& options, const std::atomic<bool>& stop)
      : client_(std::move(url), options, stop) {}
  hub::Status open() { return client_.open(); }
  hub::Status send(std::uint8_t type, std::uint32_t tsMs, const rtmp::Bytes& body) override {
    return client_.sendMedia(type, tsMs, body);
  }
  hub::Status service() override { return client_.service(); }
  void close() { client_.close(); }

 private:
  restream::RtmpClient client_;
};

class FlvOutput final : public Output {
 public:
  FlvOutput() {
    const std::uint8_t header[13] = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
    writeAll(header, sizeof header);
  }
  hub::Status send(std::uint8_t type, std::uint32_t tsMs, const rtmp::Bytes& body) override {
    auto size = static_cast<std::uint32_t>(body.size());
    const std::uint8_t tag[11] = {type,
                                  static_cast<std::uint8_t>(size >> 16),
                                  static_cast<std::uint8_t>(size >> 8),
                                  static_cast<std::uint8_t>(size),
                                  static_cast<std::uint8_t>(tsMs >> 16),
                                  static_cast<std::uint8_t>(tsMs >> 8),
                                  static_cast<std::uint8_t>(tsMs),
                                  static_cast<std::uint8_t>(tsMs >> 24),
                                  0,
                                  0,
                                  0};
    auto prev = size + 11;
    const std::uint8_t trailer[4] = {static_cast<std::uint8_t>(prev >> 24),
                                     static_cast<std::uint8_t>(prev >> 16),
                                     static_cast<std::uint8_t>(prev >> 8), static_cast<std::uint8_t>(prev)};
    if (!writeAll(tag, sizeof tag) || !writeAll(body.data(), body.size()) ||
        !writeAll(trailer, sizeof trailer))
      return hub::makeError("bench.write", "stdout closed");
    return hub::Status();
  }

 private:
  static bool writeAll(const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
      auto w = ::write(1, p, n);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
};

std::int64_t unixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string clipPath, logPath;
  std::vector<std::string> urls;
  double seconds = 0, fps = 30;
  int width = 1280, height = 720;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--clip") clipPath = v;
    if (k == "--url") urls.push_back(v);
    if (k == "--urls") {
      std::ifstream in(v);
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) urls.push_back(line);
    }
    if (k == "--seconds") seconds = std::stod(v);
    if (k == "--log") logPath = v;
    if (k == "--width") width = std::stoi(v);
    if (k == "--height") height = std::stoi(v);
    if (k == "--fps") fps = std::stod(v);
  }
  if (clipPath.empty() || urls.empty()) {
    std::fprintf(stderr, "usage: %s --clip FILE.flv --url URL [--url ...] [--seconds S] [--log FILE]\n",
                 argv[0]);
    return 2;
  }
  auto clip = hub::media::hls::test::readFlv(clipPath, width, height, fps);
  if (!clip.error.empty() || clip.frames.empty()) {
    std::fprintf(stderr, "clip: %s\n", clip.error.empty() ? "no frames" : clip.error.c_str());
    return 2;
  }
  // One pass of the clip lasts until its last frame ends; later passes add that to every time.
  std::int64_t clipUs = 0, lastVideoUs = -1, videoStepUs = 33'333;
  for (const auto& f : clip.frames) {
    if (hub::media::isVideo(f.codec)) {
      if (lastVideoUs >= 0) videoStepUs = f.dtsUs - lastVideoUs;
      lastVideoUs = f.dtsUs;
    }
    clipUs = std::max(clipUs, f.dtsUs);
  }
  clipUs += videoStepUs;
  const int passes = seconds > 0 ? static_cast<int>(seconds * 1e6 / static_cast<double>(clipUs)) + 1 : 1;
  const auto endUs = seconds > 0 ? static_cast<std::int64_t>(seconds * 1e6) : clipUs;

  std::atomic<bool> stop{false};
  restream::RestreamOptions options;
  options.chunkSize = 4096;
  std::vector<std::unique_ptr<Output>> outputs;
  std::vector<RtmpOutput*> rtmpOutputs;
  for (const auto& u : urls) {
    if (u == "-") {
      outputs.push_back(std::make_unique<FlvOutput>());
      continue;
    }
    auto url = restream::parseRtmpUrl(u);
    if (!url) {
      std::fprintf(stderr, "%s\n", url.error().message.c_str());
      return 2;
    }
    auto out = std::make_unique<RtmpOutput>(*url, options, stop);
    if (auto s = out->open(); !s) {
      std::fprintf(stderr, "publish to %s: %s\n", url->redacted().c_str(), s.error().message.c_str());
      return 1;
    }
    rtmpOutputs.push_back(out.get());
    outputs.push_back(std::move(out));
  }

  std::vector<bool> failed(outputs.size(), false);
  int failures = 0;
  auto sendAll = [&](std::uint8_t type, std::uint32_t ts, const rtmp::Bytes& body) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (failed[i]) continue;
      if (auto s = outputs[i]->send(type, ts, body); !s) {
        std::fprintf(stderr, "stream %zu: %s\n", i, s.error().message.c_str());
        failed[i] = true;
        ++failures;
      }
    }
  };
  auto meta = metadata(clip.tracks);
  sendAll(rtmp::msg::kDataAmf0, 0, meta);
  for (const auto& t : clip.tracks)
    sendAll(t.codec == Codec::Aac ? rtmp::msg::kAudio : rtmp::msg::kVideo, 0, sequenceHeader(t));

  struct Sent {
    char type;
    std::int64_t dtsMs;
    bool key;
    std::int64_t wallNs;
  };
  std::vector<Sent> log;
  log.reserve(static_cast<std::size_t>(passes) * clip.frames.size());
  std::int64_t frames = 0, late = 0, worstLagUs = 0;
  const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  for (int pass = 0; pass < passes; ++pass) {
    for (const auto& f : clip.frames) {
      const std::int64_t dtsUs = f.dtsUs + pass * clipUs;
      if (dtsUs >= endUs) break;
      const auto due = start + std::chrono::microseconds(dtsUs);
      std::this_thread::sleep_until(due);
      const auto lagUs =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - due)
              .count();
      worstLagUs = std::max(worstLagUs, lagUs);
      if (lagUs > 50'000) ++late;
      const bool video = hub::media::isVideo(f.codec);
      auto body = frameBody(f);
      const auto ts = static_cast<std::uint32_t>(dtsUs / 1000);
      sendAll(video ? rtmp::msg::kVideo : rtmp::msg::kAudio, ts, body);
      // With several outputs this is when the last one got it; the latency run uses one.
      if (!logPath.empty()) log.push_back({video ? 'v' : 'a', dtsUs / 1000, f.keyFrame, unixNs()});
      ++frames;
      if (frames % 64 == 0)
        for (std::size_t i = 0; i < outputs.size(); ++i)
          if (!failed[i])
            if (auto s = outputs[i]->service(); !s) {
              std::fprintf(stderr, "stream %zu: %s\n", i, s.error().message.c_str());
              failed[i] = true;
              ++failures;
            }
    }
  }
  for (auto* o : rtmpOutputs) o->close();
  if (!logPath.empty()) {
    std::FILE* out = std::fopen(logPath.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "cannot write %s\n", logPath.c_str());
      return 1;
    }
    for (const auto& s : log)
      std::fprintf(out, "%c %lld %d %lld\n", s.type, static_cast<long long>(s.dtsMs), s.key ? 1 : 0,
                   static_cast<long long>(s.wallNs));
    std::fclose(out);
  }
  std::fprintf(stderr,
               "publisher: streams=%zu frames=%lld late_over_50ms=%lld worst_lag_ms=%.1f failures=%d\n",
               outputs.size(), static_cast<long long>(frames), static_cast<long long>(late),
               static_cast<double>(worstLagUs) / 1000.0, failures);
  return failures == 0 ? 0 : 1;
}
