// media/hls/fmp4.h
//
// Our own CMAF / fragmented MP4 writer (ISO/IEC 14496-12, -14, -15): the init segment (ftyp +
// moov with one trak per track and mvex) and fragments (moof with one traf per track + mdat).
// Why not libavformat: the packager must cut a part the moment its last frame arrives and set
// every duration and offset itself; a box writer of a few hundred lines does exactly that with
// no per-track muxer contexts, no AVIO callbacks and no copies beyond one into the fragment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "media/frames/frame.h"

namespace hub::media::hls {

// Video: 90 kHz; audio: its sample rate (AAC frame = 1024 ticks).
std::uint32_t timescaleOf(const TrackInfo& track);

// ftyp + moov; track ids are 1.. in the order given.
std::string writeInit(const std::vector<TrackInfo>& tracks);

struct Sample {
  std::uint32_t duration = 0;  // in the track's timescale
  bool key = true;
  std::int32_t compositionOffset = 0;  // pts - dts, in the track's timescale
  Payload data;
};

struct TrackFragment {
  std::uint32_t trackId = 1;
  std::uint64_t baseDecodeTime = 0;  // tfdt
  bool video = true;
  std::vector<Sample> samples;
};

// moof + mdat; tracks without samples are left out. Sample data are copied once, into it.
std::string writeFragment(std::uint32_t sequence, const std::vector<TrackFragment>& tracks);

}  // namespace hub::media::hls
