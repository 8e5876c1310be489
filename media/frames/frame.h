// media/frames/frame.h
//
// The one contract between the parts of the live video path: ingest (media/rtmp) produces
// tracks and frames, the pipeline (media/pipeline) consumes them and produces more (one set per
// ladder rung), and the packager (media/hls), recorder and restreamer consume them. A frame's
// bytes are shared, never copied on the way: `Payload` keeps the buffer they live in alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hub::media {

// Mp3 (FLV sound format 2) exists only between ingest and the stream's AAC re-encoder
// (media/pipeline/aac_reencoder.h): the packager, recorder and restreamer see AAC.
enum class Codec { H264, Hevc, Aac, Mp3 };

inline const char* codecName(Codec c) {
  switch (c) {
    case Codec::H264:
      return "h264";
    case Codec::Hevc:
      return "hevc";
    case Codec::Aac:
      return "aac";
    case Codec::Mp3:
      return "mp3";
  }
  return "?";
}
inline bool isVideo(Codec c) { return c == Codec::H264 || c == Codec::Hevc; }

// What a decoder needs before the first frame of a track.
struct TrackInfo {
  Codec codec = Codec::H264;
  // H.264: the avcC record; HEVC: the hvcC record; AAC: the AudioSpecificConfig; MP3: none.
  std::vector<std::uint8_t> codecData;
  // Video (from the codec data's SPS, or the publisher's onMetaData when that is all we have).
  int width = 0, height = 0;
  double frameRate = 0;  // 0 when unknown
  // Audio.
  int sampleRate = 0, channels = 0;
  std::int64_t bitrate = 0;  // bits/s, 0 when unknown (onMetaData, or the encoder's setting)
};

// A view into a shared buffer; cheap to copy.
struct Payload {
  std::shared_ptr<const std::vector<std::uint8_t>> owner;
  std::size_t offset = 0, size = 0;
  std::span<const std::uint8_t> view() const { return {owner->data() + offset, size}; }
};

struct Frame {
  Codec codec = Codec::H264;
  // Microseconds on the stream's own timeline (RTMP's milliseconds times 1000, made monotonic
  // by ingest). pts = dts for audio.
  std::int64_t dtsUs = 0, ptsUs = 0;
  bool keyFrame = false;  // audio frames: always true
  // Video: length-prefixed NAL units (4-byte lengths), exactly as avcC/hvcC and fMP4 want them.
  // Audio: one raw AAC frame (no ADTS header); MP3: the frames of one FLV tag.
  Payload data;
  // When ingest received it: EXT-X-PROGRAM-DATE-TIME and the latency benchmarks use this.
  std::chrono::system_clock::time_point wallClock;
};

// Something frames flow into. Calls for one source come from one thread at a time, in order:
// tracks() first (and again whenever codec data change), then frames; discontinuity() when the
// publisher dropped and another one took over or reconnected (timestamps restart); end() once
// when the source is gone for good. Implementations must not block for long: they run on the
// ingest or GStreamer streaming thread.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Every track of the source; a source may have only audio or only video.
  virtual void tracks(const std::vector<TrackInfo>& tracks) = 0;
  virtual void frame(const Frame& frame) = 0;
  virtual void discontinuity() = 0;
  virtual void end() = 0;
};

}  // namespace hub::media
