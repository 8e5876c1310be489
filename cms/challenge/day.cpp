// cms/challenge/day.cpp
//
// Checked YYYY-MM-DD text for the Shanghai calendar days of step submissions; the arithmetic is
// cms/api/calendar_day.h's.
#include "cms/challenge/day.h"

#include <charconv>
#include <cstdio>

#include "cms/api/calendar_day.h"

namespace hub::cms::challenge {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<unsigned> number(std::string_view s) {
  unsigned v = 0;
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
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  const int year = static_cast<int>(*y);
  if (*d > daysInMonth(year, *m)) return std::nullopt;
  return static_cast<Day>(daysFromCivil(year, *m, *d));
}

std::string formatDay(Day day) { return formatCivilDay(day); }

Day shanghaiDay(std::int64_t unixSeconds) { return static_cast<Day>(cms::shanghaiDay(unixSeconds)); }

}  // namespace hub::cms::challenge
