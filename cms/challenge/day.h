// cms/challenge/day.h
//
// A member's calendar day: days since 1970-01-01 in Asia/Shanghai (UTC+8 all year, no DST).
// Step counts are per such day; "today" is taken from the wall clock, never from the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hub::cms::challenge {

using Day = std::int32_t;

// "2026-11-29" -> its day number; nullopt unless a real date in YYYY-MM-DD form.
std::optional<Day> parseDay(std::string_view text);
// The day number as "YYYY-MM-DD".
std::string formatDay(Day day);
// The Shanghai calendar day that contains `unixSeconds`.
Day shanghaiDay(std::int64_t unixSeconds);

}  // namespace hub::cms::challenge
