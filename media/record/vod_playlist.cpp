// media/record/vod_playlist.cpp
//
// Journal lines and VOD playlists; see vod_playlist.h.
#include "media/record/vod_playlist.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hub::media::record {

namespace {

std::string isoMillis(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Status writeFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return makeError("record.write", "write " + tmp + " failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return makeError("record.write", "rename to " + path + " failed");
  return {};
}

std::string gapFileName(std::int64_t sequence) { return "gap" + std::to_string(sequence) + ".m4s"; }

Status appendJournal(const std::string& renditionDir, const JournalEntry& e) {
  std::ofstream out(renditionDir + "/segments.txt", std::ios::app);
  out << e.sequence << ' ' << fixed(e.durationSeconds, 6) << ' ' << (e.discontinuity ? 1 : 0) << ' '
      << e.initFile << ' ' << e.programDateTimeMs << ' ' << e.file << '\n';
  out.flush();
  if (!out) return makeError("record.write", "append to " + renditionDir + "/segments.txt failed");
  return {};
}

Result<std::vector<JournalEntry>> readJournal(const std::string& renditionDir) {
  std::ifstream in(renditionDir + "/segments.txt");
  if (!in) return makeError("record.read", "no journal in " + renditionDir);
  std::vector<JournalEntry> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    JournalEntry e;
    int disc = 0;
    if (!(fields >> e.sequence >> e.durationSeconds >> disc >> e.initFile >> e.programDateTimeMs >> e.file))
      continue;
    if (e.durationSeconds <= 0 || e.file.find('/') != std::string::npos ||
        e.initFile.find('/') != std::string::npos)
      continue;
    e.discontinuity = disc != 0;
    e.gap = e.file == gapFileName(e.sequence);
    out.push_back(std::move(e));
  }
  return out;
}

Status writeRenditionInfo(const std::string& renditionDir, const hls::RenditionInfo& info) {
  nlohmann::json j = {{"id", info.id},
                      {"width", info.width},
                      {"height", info.height},
                      {"frame_rate", info.frameRate},
                      {"bandwidth", info.bandwidth},
                      {"average_bandwidth", info.averageBandwidth},
                      {"codecs", info.codecs}};
  return writeFileAtomically(renditionDir + "/rendition.json", j.dump());
}

Result<hls::RenditionInfo> readRenditionInfo(const std::string& renditionDir) {
  std::ifstream in(renditionDir + "/rendition.json");
  if (!in) return makeError("record.read", "no rendition.json in " + renditionDir);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return makeError("record.read", "bad rendition.json in " + renditionDir);
  hls::RenditionInfo r;
  r.id = j.value("id", "");
  r.width = j.value("width", 0);
  r.height = j.value("height", 0);
  r.frameRate = j.value("frame_rate", 0.0);
  r.bandwidth = j.value("bandwidth", std::int64_t{0});
  r.averageBandwidth = j.value("average_bandwidth", std::int64_t{0});
  r.codecs = j.value("codecs", "");
  if (r.id.empty()) return makeError("record.read", "rendition.json without id in " + renditionDir);
  return r;
}

double totalDuration(const std::vector<JournalEntry>& entries) {
  double total = 0;
  for (const auto& e : entries) total += e.durationSeconds;
  return total;
}

std::string vodMediaPlaylist(const std::vector<JournalEntry>& entries) {
  double longest = 1;
  for (const auto& e : entries) longest = std::max(longest, e.durationSeconds);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:" +
                    std::to_string(static_cast<long long>(std::lround(std::ceil(longest)))) +
                    "\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:" +
                    std::to_string(entries.empty() ? 0 : entries.front().sequence) +
                    "\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  std::string init;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (i > 0 && e.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    if (e.initFile != init) {
      out += "#EXT-X-MAP:URI=\"" + e.initFile + "\"\n";
      init = e.initFile;
    }
    if (e.programDateTimeMs > 0 && (i == 0 || e.discontinuity))
      out += "#EXT-X-PROGRAM-DATE-TIME:" + isoMillis(e.programDateTimeMs) + "\n";
    if (e.gap) out += "#EXT-X-GAP\n";
    out += "#EXTINF:" + fixed(e.durationSeconds, 5) + ",\n" + e.file + "\n";
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string vodMasterPlaylist(const std::vector<hls::RenditionInfo>& renditions) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& r : renditions) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(std::max<std::int64_t>(r.bandwidth, 1));
    if (r.averageBandwidth > 0) out += ",AVERAGE-BANDWIDTH=" + std::to_string(r.averageBandwidth);
    if (r.width > 0 && r.height > 0)
      out += ",RESOLUTION=" + std::to_string(r.width) + "x" + std::to_string(r.height);
    if (!r.codecs.empty()) out += ",CODECS=\"" + r.codecs + "\"";
    if (r.frameRate > 0) out += ",FRAME-RATE=" + fixed(r.frameRate, 3);
    out += "\n" + r.id + "/index.m3u8\n";
  }
  return out;
}

}  // namespace hub::media::record
