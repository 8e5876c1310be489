// cms/challenge/day.cpp
//
// Civil-date arithmetic (proleptic Gregorian, days from/to year-month-day) for the Shanghai
// calendar day of step submissions.
#include "cms/challenge/day.h"

#include <charconv>
#include <cstdio>

namespace hub::cms::challenge {
namespace {

constexpr std::int64_t kShanghaiOffsetSeconds = 8 * 3600;

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a valid y-m-d (the era-based method: 400-year cycles of 146097 days).
std::int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<Day> parseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  auto y = number(text.substr(0, 4));
  auto m = number(text.substr(5, 2));
  auto d = number(text.substr(8, 2));
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1 || *d > daysInMonth(*y, *m))
    return std::nullopt;
  return static_cast<Day>(daysFromCivil(*y, *m, *d));
}

std::string formatDay(Day day) {
  const std::int64_t z = static_cast<std::int64_t>(day) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

Day shanghaiDay(std::int64_t unixSeconds) {
  const std::int64_t local = unixSeconds + kShanghaiOffsetSeconds;
  const std::int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  return static_cast<Day>(day);
}

}  // namespace hub::cms::challenge
