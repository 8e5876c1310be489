// cms/schedule/time_text.h
//
// Asia/Shanghai calendar days (+08:00, no DST) for per-day platform limits and recurrences.
// Parsing and showing times is cms/api/time.h's (parseTime, formatTime).
#pragma once

#include <cstdint>

namespace hub::cms::schedule {

// Days since 1970-01-01 of the Asia/Shanghai calendar day holding `epochSeconds`.
std::int64_t shanghaiDay(std::int64_t epochSeconds);

// Civil date <-> days since the epoch (proleptic Gregorian).
std::int64_t daysFromCivil(int y, unsigned m, unsigned d);
void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d);

}  // namespace hub::cms::schedule
