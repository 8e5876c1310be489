// cms/schedule/time_text.h
//
// Times at the API edge: the API takes RFC 3339 with an explicit offset ("2026-12-01T09:30:00+08:00"
// or "...Z"), storage keeps UTC epoch seconds, and people see Asia/Shanghai (+08:00, no DST).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hub::cms::schedule {

inline constexpr std::int64_t kShanghaiOffset = 8 * 3600;

// RFC 3339 date-time with "Z" or "+hh:mm"/"-hh:mm" (fractional seconds are accepted and dropped)
// -> UTC epoch seconds; nullopt for anything else, a missing offset included.
std::optional<std::int64_t> parseRfc3339(std::string_view text);

// Epoch seconds -> "2026-12-01T09:30:00+08:00".
std::string formatShanghai(std::int64_t epochSeconds);

// Days since 1970-01-01 of the Asia/Shanghai calendar day holding `epochSeconds`.
std::int64_t shanghaiDay(std::int64_t epochSeconds);

// Civil date <-> days since the epoch (proleptic Gregorian).
std::int64_t daysFromCivil(int y, unsigned m, unsigned d);
void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d);

}  // namespace hub::cms::schedule
