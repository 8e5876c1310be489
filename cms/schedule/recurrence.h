// cms/schedule/recurrence.h
//
// Recurring posts: a daily or weekly rule with an end, expanded into the occurrence times at
// the moment it is scheduled (each occurrence becomes an ordinary schedule row, so the
// calendar, cancel and the scheduler see no difference). Days and times of day are those of
// Asia/Shanghai, where people plan.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/result.h"

namespace hub::cms::schedule {

struct Recurrence {
  enum class Freq { Daily, Weekly };
  Freq freq = Freq::Daily;
  int interval = 1;           // every N days / weeks
  std::vector<int> weekdays;  // weekly: 1 = Monday .. 7 = Sunday; empty = the first's weekday
  std::int64_t first = 0;     // epoch seconds of the first occurrence (gives the time of day)
  std::int64_t until = 0;     // epoch seconds, inclusive; 0 = use count
  int count = 0;              // occurrences in all; 0 = use until
};

// From the API's {"freq":"daily"|"weekly","interval":1,"weekdays":["mon",..] or [1,..],
// "until":"<RFC 3339>","count":N}; `first` is the schedule's own time. Per-field messages.
Result<Recurrence> parseRecurrence(const nlohmann::json& j, std::int64_t first,
                                   std::map<std::string, std::string>& fields);

// Occurrence times, ascending, starting with `first`. Error "schedule.recurrence_too_long"
// when the rule gives more than `max` occurrences, "schedule.recurrence_unbounded" without an end.
Result<std::vector<std::int64_t>> expand(const Recurrence& r, std::size_t max);

nlohmann::json recurrenceJson(const Recurrence& r);

}  // namespace hub::cms::schedule
