// cms/api/time.cpp
//
// RFC 3339 formatting and parsing without the C library's time zone state.
#include "cms/api/time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace hub::cms {
namespace {

Error invalid(std::string_view text, const char* why) {
  return makeError("time.invalid", "\"" + std::string(text.substr(0, 64)) + "\" is not an RFC 3339 time (" +
                                       why + "), e.g. 2026-11-29T14:30:00+08:00");
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string format(std::int64_t epoch, int offset, bool zulu) {
  using namespace std::chrono;
  const std::int64_t local = epoch + offset;
  const auto day = floor<days>(sys_seconds(seconds(local)));
  const year_month_day ymd(day);
  const std::int64_t sod = local - duration_cast<seconds>(day.time_since_epoch()).count();
  char buf[48];
  const int h = static_cast<int>(sod / 3600), mi = static_cast<int>(sod % 3600 / 60),
            s = static_cast<int>(sod % 60);
  if (zulu) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), h, mi, s);
  } else {
    const int off = offset < 0 ? -offset : offset;
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), h, mi, s,
                  offset < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
  }
  return buf;
}

}  // namespace

std::int64_t nowSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
}

std::string formatTime(std::int64_t epochSeconds, int offsetSeconds) {
  return format(epochSeconds, offsetSeconds, false);
}

std::string formatUtc(std::int64_t epochSeconds) { return format(epochSeconds, 0, true); }

Result<std::int64_t> parseTime(std::string_view t) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, h) ||
      t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s))
    return invalid(t, "expected YYYY-MM-DDThh:mm:ss");
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return invalid(t, "empty fraction");
  }
  if (pos >= t.size()) return invalid(t, "no offset: add Z or +08:00");
  int offset = 0;
  if (t[pos] == 'Z' || t[pos] == 'z') {
    ++pos;
  } else if (t[pos] == '+' || t[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !digits(t, pos + 4, 2, om) || oh > 23 || om > 59)
      return invalid(t, "bad offset");
    offset = (oh * 3600 + om * 60) * (t[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return invalid(t, "bad offset");
  }
  if (pos != t.size()) return invalid(t, "trailing characters");
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return invalid(t, "no such date or time");
  const std::int64_t days = sys_days(ymd).time_since_epoch().count();
  return days * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s) - offset;
}

Result<std::int64_t> parseTimeOrEpoch(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!text.empty() && ec == std::errc() && p == text.data() + text.size()) return v;
  return parseTime(text);
}

}  // namespace hub::cms
