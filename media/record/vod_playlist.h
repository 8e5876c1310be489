// media/record/vod_playlist.h
//
// What a recording keeps on disk per rendition besides the media files, and the playlists made
// from it. While recording, every segment appends one line to `segments.txt` (sequence,
// duration, discontinuity, init file, program date time, file name; a hole the rendition left,
// listed live as EXT-X-GAP, has a name starting with `gap` and no file) and the rendition's facts
// sit in `rendition.json`; that journal is all it takes to write the VOD playlists, at the
// session's end or after a crash. The playlists: EXT-X-PLAYLIST-TYPE:VOD, EXT-X-MAP (again
// after an init change), EXT-X-DISCONTINUITY kept, EXT-X-GAP for the holes (so the listed
// timeline is the media's, as it was live), EXT-X-ENDLIST; a master listing the renditions like
// the live one.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "media/hls/segment_listener.h"

namespace hub::media::record {

struct JournalEntry {
  std::int64_t sequence = 0;
  double durationSeconds = 0;
  bool discontinuity = false;
  std::string initFile;  // "init0.mp4"
  std::int64_t programDateTimeMs = 0;
  std::string file;  // "seg42.m4s"; "gap43.m4s" for a gap (never written, 404 if asked for)
  bool gap = false;
};

// The journal name of a gap of the segment with `sequence`.
std::string gapFileName(std::int64_t sequence);

// Appends one line to `<renditionDir>/segments.txt`. Error "record.write".
Status appendJournal(const std::string& renditionDir, const JournalEntry& entry);
// Reads it back; lines a crash cut short are skipped. Error "record.read" when it is missing.
Result<std::vector<JournalEntry>> readJournal(const std::string& renditionDir);

// `<renditionDir>/rendition.json`.
Status writeRenditionInfo(const std::string& renditionDir, const hls::RenditionInfo& info);
Result<hls::RenditionInfo> readRenditionInfo(const std::string& renditionDir);

// The media playlist text of a finished rendition.
std::string vodMediaPlaylist(const std::vector<JournalEntry>& entries);
// The master playlist: each rendition's playlist at `<id>/index.m3u8`.
std::string vodMasterPlaylist(const std::vector<hls::RenditionInfo>& renditions);

// Sum of the entries' durations (gaps included: the timeline).
double totalDuration(const std::vector<JournalEntry>& entries);

// Writes `content` to `path` through a temporary file and a rename, so readers never see half.
Status writeFileAtomically(const std::string& path, const std::string& content);

}  // namespace hub::media::record
