// cms/schedule/recurrence.cpp
#include "cms/schedule/recurrence.h"

#include <algorithm>

#include "cms/api/calendar_day.h"
#include "cms/api/time.h"

namespace hub::cms::schedule {
namespace {

const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// 1 = Monday .. 7 = Sunday for days since the epoch (1970-01-01 was a Thursday).
int weekdayOf(std::int64_t days) {
  std::int64_t w = (days + 3) % 7;
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

}  // namespace

Result<Recurrence> parseRecurrence(const nlohmann::json& j, std::int64_t first,
                                   std::map<std::string, std::string>& fields) {
  Recurrence r;
  r.first = first;
  if (!j.is_object()) {
    fields["recurrence"] = "must be an object";
    return makeError("validation", "recurrence");
  }
  std::string freq = j.value("freq", "");
  if (freq == "daily")
    r.freq = Recurrence::Freq::Daily;
  else if (freq == "weekly")
    r.freq = Recurrence::Freq::Weekly;
  else
    fields["recurrence.freq"] = "must be \"daily\" or \"weekly\"";
  if (j.contains("interval")) {
    if (!j["interval"].is_number_integer() || j["interval"].get<int>() < 1 || j["interval"].get<int>() > 52)
      fields["recurrence.interval"] = "must be a whole number from 1 to 52";
    else
      r.interval = j["interval"].get<int>();
  }
  if (j.contains("weekdays")) {
    if (!j["weekdays"].is_array()) fields["recurrence.weekdays"] = "must be a list of days";
    for (const auto& d : j.value("weekdays", nlohmann::json::array())) {
      int day = 0;
      if (d.is_number_integer()) day = d.get<int>();
      if (d.is_string())
        for (int i = 0; i < 7; ++i)
          if (d.get<std::string>() == kDays[i]) day = i + 1;
      if (day < 1 || day > 7) {
        fields["recurrence.weekdays"] = "days are mon..sun or 1..7";
        break;
      }
      if (std::find(r.weekdays.begin(), r.weekdays.end(), day) == r.weekdays.end()) r.weekdays.push_back(day);
    }
    std::sort(r.weekdays.begin(), r.weekdays.end());
  }
  if (j.contains("until")) {
    auto u = j["until"].is_string() ? parseTime(j["until"].get<std::string>())
                                    : Result<std::int64_t>(makeError("time.invalid", "not a string"));
    if (!u)
      fields["recurrence.until"] = "must be an RFC 3339 time with an offset";
    else if (*u < first)
      fields["recurrence.until"] = "must not be before the first occurrence";
    else
      r.until = *u;
  }
  if (j.contains("count")) {
    if (!j["count"].is_number_integer() || j["count"].get<int>() < 1)
      fields["recurrence.count"] = "must be a whole number above 0";
    else
      r.count = j["count"].get<int>();
  }
  if (r.until == 0 && r.count == 0 && !fields.count("recurrence.until") && !fields.count("recurrence.count"))
    fields["recurrence.until"] = "a recurring post needs an end: until or count";
  if (!fields.empty()) return makeError("validation", "recurrence");
  return r;
}

Result<std::vector<std::int64_t>> expand(const Recurrence& r, std::size_t max) {
  if (r.until == 0 && r.count == 0)
    return makeError("schedule.recurrence_unbounded", "a recurring post needs an end");
  std::vector<std::int64_t> out;
  const std::int64_t firstDay = shanghaiDay(r.first);
  const std::int64_t timeOfDay = r.first - (firstDay * 86400 - kShanghaiOffsetSeconds);
  auto push = [&](std::int64_t t) -> bool {  // false once the rule has ended
    if (r.until != 0 && t > r.until) return false;
    if (r.count != 0 && out.size() >= static_cast<std::size_t>(r.count)) return false;
    out.push_back(t);
    return true;
  };
  auto tooLong = [&] {
    return makeError("schedule.recurrence_too_long",
                     "the rule gives more than " + std::to_string(max) + " posts");
  };
  if (r.freq == Recurrence::Freq::Daily) {
    for (std::int64_t day = firstDay;; day += r.interval) {
      if (!push(day * 86400 - kShanghaiOffsetSeconds + timeOfDay)) break;
      if (out.size() > max) return tooLong();
    }
    return out;
  }
  std::vector<int> days = r.weekdays;
  if (days.empty()) days.push_back(weekdayOf(firstDay));
  const std::int64_t monday = firstDay - (weekdayOf(firstDay) - 1);
  for (std::int64_t week = monday;; week += 7 * r.interval) {
    for (int wd : days) {
      std::int64_t day = week + wd - 1;
      if (day < firstDay) continue;
      if (!push(day * 86400 - kShanghaiOffsetSeconds + timeOfDay)) return out;
      if (out.size() > max) return tooLong();
    }
  }
}

nlohmann::json recurrenceJson(const Recurrence& r) {
  nlohmann::json j = {{"freq", r.freq == Recurrence::Freq::Daily ? "daily" : "weekly"},
                      {"interval", r.interval}};
  if (r.freq == Recurrence::Freq::Weekly) {
    auto days = nlohmann::json::array();
    for (int d : r.weekdays) days.push_back(kDays[d - 1]);
    j["weekdays"] = days;
  }
  if (r.until != 0) j["until"] = formatTime(r.until);
  if (r.count != 0) j["count"] = r.count;
  return j;
}

}  // namespace hub::cms::schedule
