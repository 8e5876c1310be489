// cms/challenge/scoring.cpp
//
// Report checks, best-of-day, caps, qualifying days, streaks and milestones.
#include "cms/challenge/scoring.h"

namespace hub::cms::challenge {
namespace {

Check refuse(std::string code, std::string message) {
  return Check{Verdict::Refuse, std::move(code), std::move(message)};
}

}  // namespace

Check checkReport(const Rules& rules, Day today, Day day, std::int64_t steps) {
  if (steps < 0) return refuse("steps.negative", "steps cannot be negative");
  if (steps > rules.absurdSteps)
    return refuse("steps.absurd", "more than " + std::to_string(rules.absurdSteps) + " steps in a day");
  if (day > today) return refuse("date.future", "the date is in the future");
  if (day < rules.firstDay)
    return refuse("date.before_challenge", "the challenge starts on " + formatDay(rules.firstDay));
  if (day > rules.lastDay)
    return refuse("date.after_challenge", "the challenge ended on " + formatDay(rules.lastDay));
  if (today - day > rules.backfillDays)
    return refuse("date.too_old",
                  "days older than " + std::to_string(rules.backfillDays) + " days cannot be reported");
  if (steps > rules.implausibleSteps)
    return Check{Verdict::Hold, "steps.implausible",
                 "held for review: more than " + std::to_string(rules.implausibleSteps) + " steps"};
  return Check{};
}

std::int64_t MemberDays::counted(const Rules& rules) const {
  std::int64_t sum = 0;
  for (const auto& [day, best] : best_) sum += countedSteps(rules, best);
  return sum;
}

Change MemberDays::report(const Rules& rules, Day day, int steps) {
  Change c;
  auto it = best_.find(day);
  c.before = it == best_.end() ? 0 : it->second;
  c.after = steps > c.before ? steps : c.before;
  if (c.after == c.before) return c;
  const std::int64_t totalBefore = counted(rules);
  best_[day] = c.after;
  c.countedDelta = countedSteps(rules, c.after) - countedSteps(rules, c.before);
  c.newlyQualified = c.before < rules.qualifyingSteps && c.after >= rules.qualifyingSteps;
  const std::int64_t totalAfter = totalBefore + c.countedDelta;
  for (auto m : rules.milestones)
    if (totalBefore < m && totalAfter >= m) c.milestonesReached.push_back(m);
  return c;
}

Totals MemberDays::totals(const Rules& rules, Day today) const {
  Totals t;
  t.daysReported = static_cast<int>(best_.size());
  int run = 0;     // the run of qualified days ending at `runEnd`
  Day runEnd = 0;  // the last qualified day
  for (const auto& [day, best] : best_) {
    t.counted += countedSteps(rules, best);
    if (best < rules.qualifyingSteps) continue;
    ++t.qualifiedDays;
    run = (run > 0 && day == runEnd + 1) ? run + 1 : 1;
    runEnd = day;
    if (run > t.longestStreak) t.longestStreak = run;
  }
  // The last run is current when it reaches today, or yesterday (today may not be over).
  if (run > 0 && (runEnd == today || runEnd == today - 1)) t.currentStreak = run;
  for (auto m : rules.milestones)
    if (t.counted >= m) t.milestones.push_back(m);
  return t;
}

}  // namespace hub::cms::challenge
