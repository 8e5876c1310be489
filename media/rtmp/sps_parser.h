// media/rtmp/sps_parser.h
//
// Reads the picture size out of the codec data a publisher sends (the avcC or hvcC record of
// the video sequence header): finds the SPS inside it, removes emulation-prevention bytes and
// walks the Exp-Golomb fields up to the size and cropping window. Status pages and the ladder
// (which rungs sit below the source) need the real size; onMetaData is only a hint.
#pragma once

#include <cstddef>

#include "core/util/result.h"
#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

struct PictureSize {
  int width = 0;
  int height = 0;
};

// Error codes: rtmp.sps_missing (no SPS in the record), rtmp.sps_bad (truncated or out of range).
Result<PictureSize> pictureSizeFromAvcC(ByteView avcC);
Result<PictureSize> pictureSizeFromHvcC(ByteView hvcC);

// The RBSP of a NAL unit: its bytes after the `headerBytes` of NAL header (1 for H.264, 2 for
// HEVC) with the emulation-prevention bytes (00 00 03) removed.
Bytes unescapeNal(ByteView nal, std::size_t headerBytes);

// One SPS NAL unit, header included.
Result<PictureSize> parseH264Sps(ByteView nal);
Result<PictureSize> parseHevcSps(ByteView nal);

}  // namespace hub::media::rtmp
