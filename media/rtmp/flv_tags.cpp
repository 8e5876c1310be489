// media/rtmp/flv_tags.cpp
//
// Legacy FLV video headers (frame type | codec id, AVCPacketType, SI24 composition time) and the
// Enhanced RTMP ones (IsExHeader bit, packet type, FourCC; CodedFramesX has no composition time)
// per the Veovera enhanced-rtmp v1 spec, which OBS 29+ and our own HEVC publisher send.
#include "media/rtmp/flv_tags.h"

#include <string>

namespace hub::media::rtmp {

namespace {

constexpr std::uint8_t kCodecAvc = 7;
constexpr std::uint8_t kSoundAac = 10;
constexpr std::uint8_t kSoundMp3 = 2;
constexpr std::uint8_t kSoundMp3At8k = 14;
constexpr std::uint32_t kFourCcHvc1 = 0x68766331;  // "hvc1"
constexpr std::uint32_t kFourCcAvc1 = 0x61766331;  // "avc1"

Error truncated(const char* what, std::size_t size) {
  return makeError("rtmp.flv_truncated", std::string(what) + " tag of " + std::to_string(size) + " bytes");
}

std::int32_t readSi24(const std::uint8_t* p) {
  std::uint32_t v = readU24(p);
  if (v & 0x800000) v |= 0xff000000;
  return static_cast<std::int32_t>(v);
}

std::string fourCcText(std::uint32_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>(v >> shift);
    s += c >= 0x20 && c < 0x7f ? c : '?';
  }
  return s;
}

// avcC and hvcC both start with configurationVersion 1; hvcC is at least 23 bytes, avcC 7.
Status checkConfigRecord(VideoCodec codec, ByteView data) {
  const std::size_t min = codec == VideoCodec::Hevc ? 23 : 7;
  if (data.size() < min || data[0] != 1)
    return makeError("rtmp.flv_bad_config", std::string(codec == VideoCodec::Hevc ? "hvcC" : "avcC") +
                                                " record of " + std::to_string(data.size()) +
                                                " bytes is not version 1");
  return {};
}

Result<VideoTag> parseEnhancedVideo(ByteView body) {
  if (body.size() < 5) return truncated("enhanced video", body.size());
  VideoTag tag;
  const unsigned frameType = (body[0] >> 4) & 0x07;
  const unsigned packetType = body[0] & 0x0f;
  const std::uint32_t fourCc = readU32(&body[1]);
  if (fourCc == kFourCcHvc1)
    tag.codec = VideoCodec::Hevc;
  else if (fourCc == kFourCcAvc1)
    tag.codec = VideoCodec::H264;
  else
    return makeError("rtmp.flv_unknown_codec", "video FourCC " + fourCcText(fourCc));
  tag.keyFrame = frameType == 1;
  std::size_t at = 5;
  switch (packetType) {
    case 0:  // SequenceStart
      tag.packet = VideoPacket::SequenceHeader;
      break;
    case 1:  // CodedFrames: SI24 composition time first
      if (body.size() < 8) return truncated("enhanced video", body.size());
      tag.compositionTime = readSi24(&body[5]);
      at = 8;
      break;
    case 2:  // SequenceEnd
      tag.packet = VideoPacket::EndOfSequence;
      break;
    case 3:  // CodedFramesX: composition time 0, not written
      break;
    default:
      return makeError("rtmp.flv_bad_packet_type",
                       "enhanced video packet type " + std::to_string(packetType));
  }
  tag.data = body.subspan(at);
  if (tag.packet == VideoPacket::SequenceHeader)
    if (auto s = checkConfigRecord(tag.codec, tag.data); !s) return s.error();
  return tag;
}

}  // namespace

Result<VideoTag> parseVideoTag(ByteView body) {
  if (body.empty()) return truncated("video", 0);
  if (body[0] & 0x80) return parseEnhancedVideo(body);
  const unsigned codecId = body[0] & 0x0f;
  if (codecId != kCodecAvc)
    return makeError("rtmp.flv_unknown_codec", "video codec id " + std::to_string(codecId));
  if (body.size() < 5) return truncated("AVC video", body.size());
  VideoTag tag;
  tag.keyFrame = (body[0] >> 4) == 1;
  switch (body[1]) {
    case 0:
      tag.packet = VideoPacket::SequenceHeader;
      break;
    case 1:
      tag.packet = VideoPacket::Frames;
      break;
    case 2:
      tag.packet = VideoPacket::EndOfSequence;
      break;
    default:
      return makeError("rtmp.flv_bad_packet_type", "AVC packet type " + std::to_string(body[1]));
  }
  tag.compositionTime = readSi24(&body[2]);
  tag.data = body.subspan(5);
  if (tag.packet == VideoPacket::SequenceHeader)
    if (auto s = checkConfigRecord(tag.codec, tag.data); !s) return s.error();
  return tag;
}

Result<AudioSpecificConfig> parseAudioSpecificConfig(ByteView asc) {
  // Bit reader over the first bytes: objectType(5, 31 escapes to 32 + 6 bits), frequency
  // index(4, 15 escapes to 24 explicit bits), channel configuration(4).
  std::uint64_t bits = 0;
  std::size_t have = 0;
  for (std::size_t i = 0; i < asc.size() && i < 8; ++i, have += 8) bits = bits << 8 | asc[i];
  if (have == 0) return makeError("rtmp.flv_truncated", "empty AudioSpecificConfig");
  bits <<= 64 - have;  // left-aligned; have is 8..64
  std::size_t used = 0;
  auto take = [&](std::size_t n) -> Result<std::uint32_t> {
    if (used + n > have) return makeError("rtmp.flv_truncated", "AudioSpecificConfig too short");
    const auto v = static_cast<std::uint32_t>((bits << used) >> (64 - n));
    used += n;
    return v;
  };
  static constexpr std::uint32_t kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                             22050, 16000, 12000, 11025, 8000,  7350};
  AudioSpecificConfig c;
  auto object = take(5);
  if (!object) return object.error();
  if (*object == 31) {
    auto ext = take(6);
    if (!ext) return ext.error();
    *object = 32 + *ext;
  }
  c.objectType = static_cast<std::uint8_t>(*object);
  auto index = take(4);
  if (!index) return index.error();
  if (*index == 15) {
    auto rate = take(24);
    if (!rate) return rate.error();
    c.sampleRate = *rate;
  } else if (*index < std::size(kRates)) {
    c.sampleRate = kRates[*index];
  } else {
    return makeError("rtmp.flv_bad_config", "AAC sampling frequency index " + std::to_string(*index));
  }
  auto channels = take(4);
  if (!channels) return channels.error();
  c.channels = static_cast<std::uint8_t>(*channels);
  return c;
}

// The MPEG audio frame header (ISO 11172-3 2.4.1.3, with MPEG-2 and 2.5 rates): Layer III only.
Result<AudioSpecificConfig> parseMp3Header(ByteView data) {
  if (data.size() < 4) return truncated("MP3 audio", data.size());
  const unsigned version = (data[1] >> 3) & 3;  // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const unsigned layer = (data[1] >> 1) & 3;    // 1: Layer III
  const unsigned rateIndex = (data[2] >> 2) & 3;
  if (data[0] != 0xff || (data[1] & 0xe0) != 0xe0 || version == 1 || layer != 1 || rateIndex == 3)
    return makeError("rtmp.flv_bad_config", "MP3 tag without a Layer III frame header");
  static constexpr std::uint32_t kRates[] = {44100, 48000, 32000};
  AudioSpecificConfig c;
  c.sampleRate = kRates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
  c.channels = (data[3] >> 6) == 3 ? 1 : 2;
  return c;
}

Result<AudioTag> parseAudioTag(ByteView body) {
  if (body.empty()) return truncated("audio", 0);
  const unsigned format = body[0] >> 4;
  if (format == kSoundMp3 || format == kSoundMp3At8k) {
    AudioTag tag;
    tag.format = AudioFormat::Mp3;
    tag.data = body.subspan(1);
    auto config = parseMp3Header(tag.data);
    if (!config) return config.error();
    tag.config = *config;
    return tag;
  }
  if (format != kSoundAac)
    return makeError("rtmp.flv_unknown_codec", "audio sound format " + std::to_string(format));
  if (body.size() < 2) return truncated("AAC audio", body.size());
  AudioTag tag;
  tag.data = body.subspan(2);
  if (body[1] == 0) {
    tag.packet = AudioTag::Packet::SequenceHeader;
    auto config = parseAudioSpecificConfig(tag.data);
    if (!config) return config.error();
    tag.config = *config;
  } else if (body[1] == 1) {
    tag.packet = AudioTag::Packet::Raw;
  } else {
    return makeError("rtmp.flv_bad_packet_type", "AAC packet type " + std::to_string(body[1]));
  }
  return tag;
}

}  // namespace hub::media::rtmp
