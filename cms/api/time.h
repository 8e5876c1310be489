// cms/api/time.h
//
// Times in the CMS: stored as UTC epoch seconds (BIGINT) on both backends; shown to people in
// Asia/Shanghai (+08:00, no DST) as RFC 3339 "2026-11-29T14:54:22+08:00"; accepted as RFC 3339
// with an explicit offset ("Z" or "+hh:mm"), fractional seconds dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::cms {

inline constexpr int kShanghaiOffsetSeconds = 8 * 3600;

// Now, in UTC epoch seconds.
std::int64_t nowSeconds(const Clock& clock);
// "2026-11-29T14:54:22+08:00" (offsetSeconds default: Asia/Shanghai).
std::string formatTime(std::int64_t epochSeconds, int offsetSeconds = kShanghaiOffsetSeconds);
// "2026-11-29T06:54:22Z".
std::string formatUtc(std::int64_t epochSeconds);
// RFC 3339 with an offset; error "time.invalid" naming what is wrong (a time without offset too).
Result<std::int64_t> parseTime(std::string_view text);
// parseTime(), or plain decimal epoch seconds.
Result<std::int64_t> parseTimeOrEpoch(std::string_view text);

}  // namespace hub::cms
