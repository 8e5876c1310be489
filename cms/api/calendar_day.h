// cms/api/calendar_day.h
//
// Asia/Shanghai calendar days (+08:00, no DST): per-day platform limits and recurrences
// (cms/schedule), the days of walking challenges (cms/challenge).
// Parsing and showing times is cms/api/time.h's (parseTime, formatTime).
#pragma once

#include <cstdint>
#include <string>

namespace hub::cms {

// Days since 1970-01-01 of the Asia/Shanghai calendar day holding `epochSeconds`.
std::int64_t shanghaiDay(std::int64_t epochSeconds);

// Civil date <-> days since the epoch (proleptic Gregorian).
std::int64_t daysFromCivil(int y, unsigned m, unsigned d);
void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d);
// Days since the epoch as "YYYY-MM-DD".
std::string formatCivilDay(std::int64_t days);

}  // namespace hub::cms
