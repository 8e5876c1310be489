// media/record/mp4_export.h
//
// The download of a recording: the source rendition's fMP4 (init segment + media segments, as
// the journal lists them) remuxed by libavformat into one progressive MP4 with the moov up
// front (faststart), no re-encoding. The fragments are read through a custom AVIOContext that
// walks the files in order, so nothing is concatenated on disk first. Timestamps that restart
// after a publisher reconnect are shifted to follow on; segments after an init change (a new
// codec configuration) are left out, since one MP4 track has one configuration.
#pragma once

#include <string>
#include <vector>

#include "core/util/result.h"
#include "media/record/vod_playlist.h"

namespace hub::media::record {

struct Mp4ExportResult {
  std::int64_t packets = 0;
  std::int64_t bytes = 0;
  int segmentsLeftOut = 0;  // after an init change
};

// Writes `outPath` (through `outPath`.part and a rename). Error "record.export".
Result<Mp4ExportResult> exportMp4(const std::string& renditionDir, const std::vector<JournalEntry>& entries,
                                  const std::string& outPath);

}  // namespace hub::media::record
