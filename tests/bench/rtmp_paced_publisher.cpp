// tests/bench/rtmp_paced_publisher.cpp
//
// The publisher of the latency and capacity benchmarks: reads an FLV clip (H.264 + AAC, made by
// ffmpeg) and sends its tags at real-time pace to one or many RTMP servers (one connection per
// URL, each on its own thread of this one process: cheap enough for 100 streams on a 2-core
// host), looping the clip with rising timestamps for --seconds. URL "-" writes an FLV stream to stdout at the
// same pace instead (for gst-launch's fdsrc). With --log, writes the wall-clock time each frame of the first
// URL was handed to the kernel: "<v|a> <dts ms> <key 0|1> <unix time ns>" per line.
//   hub_rtmp_paced_publisher --clip FILE.flv (--url URL ... | --urls FILE) [--seconds S]
//                            [--log FILE] [--width W --height H --fps F]
// Prints one summary line at the end (frames, late frames, worst lag, failures); exits 1 when
// a connection failed.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
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

std::atomic<bool> stopRequested{false};
void onSignal(int) { stopRequested.store(true); }

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

  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  restream::RestreamOptions options;
  options.chunkSize = 4096;
  std::vector<restream::RtmpUrl> parsed(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (urls[i] == "-") continue;
    auto url = restream::parseRtmpUrl(urls[i]);
    if (!url) {
      std::fprintf(stderr, "%s\n", url.error().message.c_str());
      return 2;
    }
    parsed[i] = *url;
  }
  // Tag bodies made once, shared by every stream.
  const auto meta = metadata(clip.tracks);
  std::vector<rtmp::Bytes> headers, bodies;
  for (const auto& t : clip.tracks) headers.push_back(sequenceHeader(t));
  for (const auto& f : clip.frames) bodies.push_back(frameBody(f));

  struct Sent {
    char type;
    std::int64_t dtsMs;
    bool key;
    std::int64_t wallNs;
  };
  std::vector<Sent> log;
  if (!logPath.empty()) log.reserve(static_cast<std::size_t>(passes) * clip.frames.size());
  std::atomic<std::int64_t> frames{0}, late{0}, worstLagUs{0};
  std::atomic<int> failures{0}, opened{0};
  // Every stream connects on its own thread, then all start together at `start` and each
  // keeps its own pace: one stream's full socket never holds back the others.
  std::atomic<bool> go{false};
  std::chrono::steady_clock::time_point start;
  auto fail = [&](std::size_t i, const hub::Error& e) {
    if (stopRequested) return;  // told to stop: the send that was cut short is no failure
    std::fprintf(stderr, "stream %zu: %s\n", i, e.message.c_str());
    failures.fetch_add(1);
  };
  auto run = [&](std::size_t i) {
    std::unique_ptr<Output> out;
    RtmpOutput* rtmpOut = nullptr;
    if (urls[i] == "-") {
      out = std::make_unique<FlvOutput>();
    } else {
      auto r = std::make_unique<RtmpOutput>(parsed[i], options, stopRequested);
      if (auto s = r->open(); !s) {
        fail(i, s.error());
        opened.fetch_add(1);
        return;
      }
      rtmpOut = r.get();
      out = std::move(r);
    }
    opened.fetch_add(1);
    while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto body = [&]() -> hub::Status {
      if (auto s = out->send(rtmp::msg::kDataAmf0, 0, meta); !s) return s;
      for (std::size_t t = 0; t < clip.tracks.size(); ++t)
        if (auto s = out->send(clip.tracks[t].codec == Codec::Aac ? rtmp::msg::kAudio : rtmp::msg::kVideo, 0,
                               headers[t]);
            !s)
          return s;
      std::int64_t sent = 0;
      for (int pass = 0; pass < passes; ++pass) {
        for (std::size_t k = 0; k < clip.frames.size(); ++k) {
          const auto& f = clip.frames[k];
          const std::int64_t dtsUs = f.dtsUs + pass * clipUs;
          if (dtsUs >= endUs || stopRequested) return hub::Status();
          const auto due = start + std::chrono::microseconds(dtsUs);
          std::this_thread::sleep_until(due);
          const auto lagUs =
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - due)
                  .count();
          for (auto w = worstLagUs.load(); lagUs > w && !worstLagUs.compare_exchange_weak(w, lagUs);) {
          }
          if (lagUs > 50'000) late.fetch_add(1);
          const bool video = hub::media::isVideo(f.codec);
          if (auto s = out->send(video ? rtmp::msg::kVideo : rtmp::msg::kAudio,
                                 static_cast<std::uint32_t>(dtsUs / 1000), bodies[k]);
              !s)
            return s;
          if (i == 0 && !logPath.empty())
            log.push_back({video ? 'v' : 'a', dtsUs / 1000, f.keyFrame, unixNs()});
          frames.fetch_add(1);
          if (++sent % 64 == 0)
            if (auto s = out->service(); !s) return s;
        }
      }
      return hub::Status();
    };
    if (auto s = body(); !s) fail(i, s.error());
    if (rtmpOut != nullptr) rtmpOut->close();
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < urls.size(); ++i) threads.emplace_back(run, i);
  while (opened.load() < static_cast<int>(urls.size()))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  start = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  go.store(true);
  for (auto& t : threads) t.join();

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
               urls.size(), static_cast<long long>(frames.load()), static_cast<long long>(late.load()),
               static_cast<double>(worstLagUs.load()) / 1000.0, failures.load());
  return failures.load() == 0 ? 0 : 1;
}
