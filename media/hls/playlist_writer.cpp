// media/hls/playlist_writer.cpp
//
// Tag order follows RFC 8216bis section 4: header tags, then per segment its
// DISCONTINUITY/MAP/PROGRAM-DATE-TIME, PART tags, EXTINF and URI, then PRELOAD-HINT and
// RENDITION-REPORT at the end.
#include "media/hls/playlist_writer.h"

#include <cstdio>
#include <ctime>

namespace hub::media::hls {
namespace {

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string isoTime(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

std::string writeMediaPlaylist(const MediaPlaylist& p, bool skip) {
  const double target = p.targetDuration;
  const double skipUntil = 6 * target;
  std::string out;
  out.reserve(2048);
  out += "#EXTM3U\n#EXT-X-VERSION:9\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(p.targetDuration) + "\n";
  if (!p.ended)
    out += "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=" + fixed(skipUntil, 1) +
           ",PART-HOLD-BACK=" + fixed(3 * p.partTarget, 3) + "\n";
  out += "#EXT-X-PART-INF:PART-TARGET=" + fixed(p.partTarget, 3) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(p.segments.empty() ? 0 : p.segments.front().msn) + "\n";
  if (p.discontinuitySequence > 0)
    out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(p.discontinuitySequence) + "\n";

  // Seconds from each segment's end to the playlist's end.
  std::vector<double> toEnd(p.segments.size()), fromStart(p.segments.size());
  double acc = 0;
  for (std::size_t i = p.segments.size(); i-- > 0;) {
    toEnd[i] = acc;
    double d = p.segments[i].duration;
    if (!p.segments[i].complete) {
      d = 0;
      for (const auto& part : p.segments[i].parts) d += part.duration;
    }
    acc += d;
    fromStart[i] = acc;  // from the segment's start to the end
  }
  std::size_t skipped = 0;
  if (skip && !p.ended)
    while (skipped < p.segments.size() && p.segments[skipped].complete && toEnd[skipped] > skipUntil)
      ++skipped;
  if (skipped > 0) out += "#EXT-X-SKIP:SKIPPED-SEGMENTS=" + std::to_string(skipped) + "\n";

  std::string map;
  for (std::size_t i = skipped; i < p.segments.size(); ++i) {
    const auto& s = p.segments[i];
    if (s.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    if (s.mapUri != map) {
      map = s.mapUri;
      out += "#EXT-X-MAP:URI=\"" + map + "\"\n";
    }
    if (s.programDateTime.time_since_epoch().count() != 0)
      out += "#EXT-X-PROGRAM-DATE-TIME:" + isoTime(s.programDateTime) + "\n";
    if (!p.ended && fromStart[i] <= 3 * target + 1e-9) {
      for (const auto& part : s.parts) {
        out += "#EXT-X-PART:DURATION=" + fixed(part.duration, 5) + ",URI=\"" + part.uri + "\"";
        if (part.independent) out += ",INDEPENDENT=YES";
        if (part.gap) out += ",GAP=YES";
        out += "\n";
      }
    }
    if (s.gap) out += "#EXT-X-GAP\n";
    if (s.complete) out += "#EXTINF:" + fixed(s.duration, 5) + ",\n" + s.uri + "\n";
  }
  if (p.ended) {
    out += "#EXT-X-ENDLIST\n";
    return out;
  }
  if (!p.preloadHintUri.empty()) out += "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"" + p.preloadHintUri + "\"\n";
  for (const auto& r : p.reports)
    out += "#EXT-X-RENDITION-REPORT:URI=\"" + r.uri + "\",LAST-MSN=" + std::to_string(r.lastMsn) +
           ",LAST-PART=" + std::to_string(r.lastPart) + "\n";
  return out;
}

std::string writeMasterPlaylist(const std::vector<MasterEntry>& entries) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& e : entries) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(e.bandwidth);
    if (e.averageBandwidth > 0) out += ",AVERAGE-BANDWIDTH=" + std::to_string(e.averageBandwidth);
    out += ",CODECS=\"" + e.codecs + "\"";
    if (e.width > 0 && e.height > 0)
      out += ",RESOLUTION=" + std::to_string(e.width) + "x" + std::to_string(e.height);
    if (e.frameRate > 0) out += ",FRAME-RATE=" + fixed(e.frameRate, 3);
    out += "\n" + e.uri + "\n";
  }
  return out;
}

}  // namespace hub::media::hls
