// media/pipeline/pipeline_util.h
//
// Small pieces the ladder and the thumbnailer share: appsrc caps from a TrackInfo, output sizes
// that keep the aspect ratio, codec_data out of caps, and RFC 6381 codecs strings.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

#include "media/frames/frame.h"

namespace hub::media::pipeline {

// video/x-h264 (avc, au) or video/x-h265 (hvc1, au) with the track's codec_data; a new ref.
GstCaps* videoCaps(const TrackInfo& video);

// The even width of a picture scaled from width x height to `height`, aspect kept.
int evenWidth(int width, int height, int toHeight);

// The codec_data buffer of caps' first structure (empty when absent).
std::vector<std::uint8_t> capsCodecData(const GstCaps* caps);

// "avc1.64001f" from an avcC record; "avc1.42e01e" when it is too short.
std::string avcCodecsString(const std::vector<std::uint8_t>& avcC);
// "mp4a.40.2" from an AudioSpecificConfig (object type from its first 5 bits).
std::string aacCodecsString(const std::vector<std::uint8_t>& asc);

}  // namespace hub::media::pipeline
