// media/hls/codec_string.h
//
// What the codec data says, in the forms playlists and sample entries need: RFC 6381 CODECS
// strings ("avc1.64001f", "hvc1.1.6.L93.B0", "mp4a.40.2") and the AAC AudioSpecificConfig's
// rate and channels.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "media/frames/frame.h"

namespace hub::media::hls {

struct AudioConfig {
  int objectType = 0;  // 2 = AAC-LC, 5 = SBR (HE-AAC)
  int sampleRate = 0;
  int channels = 0;
};

// Empty when the AudioSpecificConfig is shorter than its fields.
std::optional<AudioConfig> parseAudioConfig(std::span<const std::uint8_t> asc);

// The RFC 6381 string of one track; a generic one ("avc1", "hvc1", "mp4a.40.2") when the
// codec data is too short to say more.
std::string codecString(const TrackInfo& track);

}  // namespace hub::media::hls
