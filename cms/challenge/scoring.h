// cms/challenge/scoring.h
//
// The rules of a walking challenge and what a member's reports add up to. Pure: no SQL, no
// clock. Phone counters are cumulative over a day, so a day's value is the highest reported for
// it; the counted value is that capped at the daily cap; a day qualifies at the threshold;
// streaks are runs of consecutive qualified days; milestones are counted totals reached.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cms/challenge/day.h"

namespace hub::cms::challenge {

struct Rules {
  Day firstDay = 0;  // the challenge's dates, inclusive
  Day lastDay = 0;
  int dailyCap = 30000;                  // steps counted per day at most
  int qualifyingSteps = 6000;            // a day with at least this many steps qualifies
  int backfillDays = 3;                  // a day may still be reported this many days after it
  int implausibleSteps = 80000;          // above: held for an admin's review, not counted until approved
  int absurdSteps = 300000;              // above: refused
  std::vector<std::int64_t> milestones;  // counted totals, ascending
};

enum class Verdict { Accept, Hold, Refuse };

struct Check {
  Verdict verdict = Verdict::Accept;
  std::string code;     // for Refuse and Hold, e.g. "steps.negative", "steps.implausible"
  std::string message;  // for people
};

// Whether a report of `steps` for `day`, arriving on `today`, may count.
Check checkReport(const Rules& rules, Day today, Day day, std::int64_t steps);

struct Totals {
  std::int64_t counted = 0;  // the sum of each day's capped best
  int daysReported = 0;
  int qualifiedDays = 0;
  int longestStreak = 0;
  int currentStreak = 0;  // the run that ends today, or yesterday when today has not qualified yet
  std::vector<std::int64_t> milestones;  // reached, ascending
};

// What one accepted report changed.
struct Change {
  int before = 0;  // the day's best before (0 if none)
  int after = 0;   // and after
  std::int64_t countedDelta = 0;
  bool newlyQualified = false;
  std::vector<std::int64_t> milestonesReached;  // crossed by this report
};

class MemberDays {
 public:
  MemberDays() = default;
  explicit MemberDays(std::map<Day, int> best) : best_(std::move(best)) {}

  // Records an accepted report; a value not above the day's best changes nothing.
  Change report(const Rules& rules, Day day, int steps);
  Totals totals(const Rules& rules, Day today) const;
  const std::map<Day, int>& days() const { return best_; }

 private:
  std::int64_t counted(const Rules& rules) const;
  std::map<Day, int> best_;
};

inline std::int64_t countedSteps(const Rules& rules, int best) {
  return best < rules.dailyCap ? best : rules.dailyCap;
}

}  // namespace hub::cms::challenge
