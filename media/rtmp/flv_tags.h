// media/rtmp/flv_tags.h
//
// Parses the FLV tag bodies RTMP audio (type 8) and video (type 9) messages carry, so the
// pipeline gets elementary streams and codec_data without flvdemux (H.264-only in GStreamer
// 1.22): H.264 (legacy codec id 7), Enhanced RTMP HEVC (FourCC hvc1) and AAC. The views point
// into the message payload, which must outlive them.
#pragma once

#include <cstdint>

#include "core/util/result.h"
#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

enum class VideoCodec { H264, Hevc };
enum class VideoPacket { SequenceHeader, Frames, EndOfSequence };

struct VideoTag {
  VideoCodec codec = VideoCodec::H264;
  VideoPacket packet = VideoPacket::Frames;
  bool keyFrame = false;
  std::int32_t compositionTime = 0;  // ms, pts = dts + compositionTime
  // SequenceHeader: the avcC / hvcC record (the caps' codec_data). Frames: length-prefixed NAL
  // units. EndOfSequence: empty.
  ByteView data;
};

struct AudioSpecificConfig {
  std::uint8_t objectType = 0;  // 2 = AAC LC
  std::uint32_t sampleRate = 0;
  std::uint8_t channels = 0;  // channel configuration; 0 means "in the stream"
};

struct AudioTag {
  enum class Packet { SequenceHeader, Raw };
  Packet packet = Packet::Raw;
  ByteView data;               // SequenceHeader: AudioSpecificConfig bytes; Raw: one AAC frame
  AudioSpecificConfig config;  // parsed from a SequenceHeader only
};

// Error codes: rtmp.flv_truncated, rtmp.flv_unknown_codec, rtmp.flv_bad_packet_type,
// rtmp.flv_bad_config.
Result<VideoTag> parseVideoTag(ByteView body);
Result<AudioTag> parseAudioTag(ByteView body);
Result<AudioSpecificConfig> parseAudioSpecificConfig(ByteView asc);

}  // namespace hub::media::rtmp
