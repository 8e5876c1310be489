// tests/bench/transcode_bench.cpp
//
// Drives media/pipeline's Transcoder with the frames of an MP4 file (demuxed by libavformat,
// as ingest would hand them over) and prints how fast it went and what it cost:
//   hub_transcode_bench CLIP.mp4 [LADDER] [PRESET] [--realtime]
// Without --realtime it feeds as fast as the ladder takes frames (at most 2 s ahead of the
// slowest rung, so nothing is dropped) and reports the realtime factor; with --realtime it
// feeds at the clip's own pace and reports dropped frames. CPU time is this process's (the
// GStreamer threads included). tests/bench/transcode.sh runs it beside ffmpeg.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <libavformat/avformat.h>
}

#include "media/pipeline/transcoder.h"

using namespace hub::media;

namespace {

struct Input {
  std::vector<TrackInfo> tracks;
  std::vector<Frame> frames;
  double mediaSeconds = 0;
};

bool demux(const char* path, Input& in) {
  AVFormatContext* ctx = nullptr;
  if (avformat_open_input(&ctx, path, nullptr, nullptr) < 0) return false;
  if (avformat_find_stream_info(ctx, nullptr) < 0) {
    avformat_close_input(&ctx);
    return false;
  }
  std::map<int, Codec> codecOf;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVCodecParameters* par = ctx->streams[i]->codecpar;
    TrackInfo t;
    if (par->codec_id == AV_CODEC_ID_H264) {
      t.codec = Codec::H264;
    } else if (par->codec_id == AV_CODEC_ID_HEVC) {
      t.codec = Codec::Hevc;
    } else if (par->codec_id == AV_CODEC_ID_AAC) {
      t.codec = Codec::Aac;
    } else {
      continue;
    }
    t.codecData.assign(par->extradata, par->extradata + par->extradata_size);
    t.width = par->width;
    t.height = par->height;
    AVRational fr = ctx->streams[i]->avg_frame_rate;
    t.frameRate = fr.den ? av_q2d(fr) : 0;
    t.sampleRate = par->sample_rate;
    t.channels = par->ch_layout.nb_channels;
    codecOf[static_cast<int>(i)] = t.codec;
    in.tracks.push_back(std::move(t));
  }
  AVPacket* pkt = av_packet_alloc();
  std::int64_t minDts = 0, maxPts = 0;
  while (av_read_frame(ctx, pkt) >= 0) {
    auto it = codecOf.find(pkt->stream_index);
    if (it != codecOf.end()) {
      AVRational tb = ctx->streams[pkt->stream_index]->time_base;
      Frame f;
      f.codec = it->second;
      f.dtsUs = av_rescale_q(pkt->dts, tb, AVRational{1, 1000000});
      f.ptsUs = isVideo(f.codec) ? av_rescale_q(pkt->pts, tb, AVRational{1, 1000000}) : f.dtsUs;
      f.keyFrame = !isVideo(f.codec) || (pkt->flags & AV_PKT_FLAG_KEY);
      auto bytes = std::make_shared<std::vector<std::uint8_t>>(pkt->data, pkt->data + pkt->size);
      f.data = Payload{bytes, 0, bytes->size()};
      minDts = std::min(minDts, f.dtsUs);
      maxPts = std::max(maxPts, f.ptsUs);
      in.frames.push_back(std::move(f));
    }
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&ctx);
  for (auto& f : in.frames) {
    f.dtsUs -= minDts;
    f.ptsUs -= minDts;
  }
  in.mediaSeconds = static_cast<double>(maxPts - minDts) / 1e6;
  return !in.frames.empty();
}

// Counts what each rung delivers.
class CountingSink : public FrameSink {
 public:
  void tracks(const std::vector<TrackInfo>&) override {}
  void frame(const Frame& f) override {
    if (isVideo(f.codec)) video++;
  }
  void discontinuity() override {}
  void end() override {}
  std::atomic<std::uint64_t> video{0};
};

double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CLIP.mp4 [LADDER] [PRESET] [--realtime]\n", argv[0]);
    return 2;
  }
  hub::config::Transcode settings;
  if (argc > 2) {
    auto ladder = hub::config::parseLadder(argv[2]);
    if (!ladder) {
      std::fprintf(stderr, "%s\n", ladder.error().message.c_str());
      return 2;
    }
    settings.ladder = *ladder;
  }
  if (argc > 3) settings.preset = argv[3];
  bool realtime = argc > 4 && std::string(argv[4]) == "--realtime";
  settings.queueMs = realtime ? 1000 : 10000;

  Input in;
  if (!demux(argv[1], in)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  std::mutex mu;
  std::map<std::string, std::unique_ptr<CountingSink>> sinks;
  auto sinkFor = [&](const hls::RenditionInfo& info) -> FrameSink& {
    std::lock_guard lock(mu);
    auto& s = sinks[info.id];
    if (!s) s = std::make_unique<CountingSink>();
    return *s;
  };
  auto slowest = [&]() -> std::uint64_t {
    std::lock_guard lock(mu);
    std::uint64_t least = UINT64_MAX;
    for (const auto& [id, s] : sinks) least = std::min<std::uint64_t>(least, s->video.load());
    return sinks.empty() ? 0 : least;
  };

  pipeline::Transcoder transcoder("bench", settings, sinkFor);
  double cpu0 = cpuSeconds();
  auto start = std::chrono::steady_clock::now();
  transcoder.tracks(in.tracks);
  std::uint64_t videoIn = 0;
  for (const auto& f : in.frames) {
    if (realtime) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(f.dtsUs));
    } else if (isVideo(f.codec)) {
      // at most 60 frames ahead of the slowest rung (the first frames wait for the pipeline)
      while (videoIn >= 60 && slowest() + 60 < videoIn)
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    if (isVideo(f.codec)) videoIn++;
    transcoder.frame(f);
  }
  transcoder.end();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpuSeconds() - cpu0;
  auto status = transcoder.status();
  std::printf(
      "state=%s\nmedia_seconds=%.2f\nwall_seconds=%.2f\nrealtime_factor=%.2f\ncpu_seconds=%.2f\n"
      "cpu_per_media_second=%.3f\nframes_in=%llu\nframes_out=%llu\ndropped=%llu\n",
      pipeline::stateName(status.state), in.mediaSeconds, wall, in.mediaSeconds / wall, cpu,
      cpu / in.mediaSeconds, static_cast<unsigned long long>(status.framesIn),
      static_cast<unsigned long long>(status.framesOut),
      static_cast<unsigned long long>(status.droppedFrames));
  for (const auto& [id, s] : sinks)
    std::printf("rung_%s_frames=%llu\n", id.c_str(), static_cast<unsigned long long>(s->video.load()));
  if (!status.message.empty()) std::printf("message=%s\n", status.message.c_str());
  return status.state == pipeline::TranscoderStatus::State::Failed ? 1 : 0;
}
