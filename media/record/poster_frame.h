// media/record/poster_frame.h
//
// A recording's thumbnail when the live one is not available (no thumbnailer, or it had not
// produced a picture yet): the first key frame of a rendition decoded with libavcodec and
// encoded as a JPEG, at that rendition's size (the recorder picks the smallest one).
#pragma once

#include <string>

#include "core/util/result.h"

namespace hub::media::record {

// JPEG bytes of the first video frame of `initPath` + `segmentPath` (fMP4). Error
// "record.poster" when there is no video or it does not decode.
Result<std::string> posterFrame(const std::string& initPath, const std::string& segmentPath);

}  // namespace hub::media::record
