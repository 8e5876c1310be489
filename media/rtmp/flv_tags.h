// media/rtmp/flv_tags.h
//
// Parses the FLV tag bodies RTMP audio (type 8) and video (type 9) messages carry, so the
// pipeline gets elementary streams and codec_data without flvdemux (H.264-only in GStreamer
// 1.22): H.264 (legacy codec id 7), Enhanced RTMP HEVC (FourCC hvc1), AAC, and MP3 (sound
// formats 2 and 14; the pipeline re-encodes it to AAC). The views point into the message
// payload, which must outlive them.
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

enum class AudioFormat { Aac, Mp3 };

struct AudioTag {
  enum class Packet { SequenceHeader, Raw };
  AudioFormat format = AudioFormat::Aac;
  Packet packet = Packet::Raw;
  // SequenceHeader: AudioSpecificConfig bytes; Raw: one AAC frame, or MP3 frames.
  ByteView data;
  // AAC: parsed from a SequenceHeader only. MP3 (no sequence header): the sample rate and
  // channels of its first frame's header (objectType 0).
  AudioSpecificConfig config;
};

// Error codes: rtmp.flv_truncated, rtmp.flv_unknown_codec, rtmp.flv_bad_packet_type,
// rtmp.flv_bad_config (also an MP3 tag whose data do not start with a Layer III frame header).
Result<VideoTag> parseVideoTag(ByteView body);
Result<AudioTag> parseAudioTag(ByteView body);
Result<AudioSpecificConfig> parseAudioSpecificConfig(ByteView asc);

}  // namespace hub::media::rtmp
