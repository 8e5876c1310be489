// media/hls/tests/synthetic_source.h
//
// Test harness: synthetic frames with RTMP-like millisecond timestamps (30 fps video with a key
// frame every `gop` frames, 48 kHz AAC frames), interleaved in dts order, pushed into any
// FrameSink. Payload bytes are placeholders: for tests of timing and storage, not decoding.
#pragma once

#include <chrono>
#include <climits>
#include <memory>
#include <vector>

#include "media/frames/frame.h"

namespace hub::media::hls::test {

class SyntheticSource {
 public:
  SyntheticSource(bool video, bool audio, int fps = 30, int gop = 30)
      : video_(video), audio_(audio), fps_(fps), gop_(gop) {}

  std::vector<TrackInfo> tracks() const {
    std::vector<TrackInfo> t;
    if (video_) {
      TrackInfo v;
      v.codec = Codec::H264;
      v.codecData = {1,    0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67,
                     0x64, 0x00, 0x1f, 1,    0x00, 0x02, 0x68, 0xee};
      v.width = 640;
      v.height = 360;
      v.frameRate = fps_;
      t.push_back(v);
    }
    if (audio_) {
      TrackInfo a;
      a.codec = Codec::Aac;
      a.codecData = {0x11, 0x90};
      a.sampleRate = 48000;
      a.channels = 2;
      t.push_back(a);
    }
    return t;
  }

  // The publisher's timeline starts again at `startMs` (a reconnect restarts from 0).
  void restart(std::int64_t startMs = 0) {
    videoIndex_ = audioIndex_ = 0;
    baseMs_ = posMs_ = startMs;
  }
  // Every frame with dts in [position, position + seconds), in dts order.
  void push(FrameSink& sink, double seconds, std::chrono::system_clock::time_point wall = {}) {
    auto endMs = posMs_ + static_cast<std::int64_t>(seconds * 1000 + 0.5);
    while (true) {
      std::int64_t v = video_ ? baseMs_ + videoIndex_ * 1000 / fps_ : INT64_MAX;
      std::int64_t a = audio_ ? baseMs_ + audioIndex_ * 1024 * 1000 / 48000 : INT64_MAX;
      std::int64_t t = std::min(v, a);
      if (t >= endMs) break;
      Frame f;
      f.dtsUs = f.ptsUs = t * 1000;
      f.wallClock = wall + std::chrono::milliseconds(t);
      f.data = payload_;
      if (v <= a) {
        f.codec = Codec::H264;
        f.keyFrame = videoIndex_ % gop_ == 0;
        ++videoIndex_;
      } else {
        f.codec = Codec::Aac;
        f.keyFrame = true;
        ++audioIndex_;
      }
      sink.frame(f);
    }
    posMs_ = endMs;
  }
  // `seconds` of frames that never arrive (a hole: dropped frames, a restarting encoder).
  void skip(double seconds) {
    struct Nowhere : FrameSink {
      void tracks(const std::vector<TrackInfo>&) override {}
      void frame(const Frame&) override {}
      void discontinuity() override {}
      void end() override {}
    } nowhere;
    push(nowhere, seconds);
  }

 private:
  bool video_, audio_;
  int fps_, gop_;
  std::int64_t videoIndex_ = 0, audioIndex_ = 0, baseMs_ = 0, posMs_ = 0;
  Payload payload_{std::make_shared<const std::vector<std::uint8_t>>(200, 0x42), 0, 200};
};

}  // namespace hub::media::hls::test
