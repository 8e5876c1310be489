// cms/challenge/tests/scoring_test.cpp
//
// Scoring of walking challenges: Shanghai days, report checks (negative, absurd, future, outside
// the challenge, too old, held as implausible), best-of-day, caps, qualifying days, streaks and
// milestones.
#include <gtest/gtest.h>

#include "cms/challenge/day.h"
#include "cms/challenge/scoring.h"

namespace hub::cms::challenge {
namespace {

Day d(const char* text) {
  auto v = parseDay(text);
  EXPECT_TRUE(v) << text;
  return v.value_or(0);
}

Rules rules() {
  Rules r;
  r.firstDay = d("2026-11-01");
  r.lastDay = d("2026-11-30");
  r.milestones = {100000, 500000, 1000000};
  return r;
}

TEST(ChallengeDay, ParsesAndFormatsRealDatesOnly) {
  EXPECT_EQ(parseDay("1970-01-01"), 0);
  EXPECT_EQ(parseDay("2026-11-29"), 20786);
  EXPECT_EQ(formatDay(20786), "2026-11-29");
  EXPECT_EQ(parseDay("2024-02-29"), d("2024-02-28") + 1);
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-11-31", "2026-1-01", "20261129",
                          "2026-11-29T00:00", "", "abcd-ef-gh", "1969-12-31", "2026-11-2x"})
    EXPECT_FALSE(parseDay(bad)) << bad;
  for (Day day = d("2023-12-25"); day < d("2024-03-10"); ++day) EXPECT_EQ(parseDay(formatDay(day)), day);
}

TEST(ChallengeDay, TheDayIsShanghais) {
  // 2026-11-28T16:00:00Z is midnight in Shanghai: the 29th starts.
  const std::int64_t midnight = 1795881600;
  EXPECT_EQ(formatDay(shanghaiDay(midnight - 1)), "2026-11-28");
  EXPECT_EQ(formatDay(shanghaiDay(midnight)), "2026-11-29");
  EXPECT_EQ(formatDay(shanghaiDay(0)), "1970-01-01");
}

TEST(ChallengeScoring, ReportsAreCheckedWithClearCodes) {
  const Rules r = rules();
  const Day today = d("2026-11-20");
  EXPECT_EQ(checkReport(r, today, today, 8000).verdict, Verdict::Accept);
  EXPECT_EQ(checkReport(r, today, today - 3, 8000).verdict, Verdict::Accept) << "within the back-fill window";
  struct Case {
    Day day;
    std::int64_t steps;
    const char* code;
  };
  for (const Case& c :
       {Case{today, -1, "steps.negative"}, Case{today, 300001, "steps.absurd"},
        Case{today + 1, 10, "date.future"}, Case{d("2026-10-31"), 10, "date.before_challenge"},
        Case{today - 4, 10, "date.too_old"}}) {
    auto check = checkReport(r, today, c.day, c.steps);
    EXPECT_EQ(check.verdict, Verdict::Refuse) << c.code;
    EXPECT_EQ(check.code, c.code);
    EXPECT_FALSE(check.message.empty());
  }
  auto late = checkReport(r, d("2026-12-02"), d("2026-12-01"), 10);
  EXPECT_EQ(late.code, "date.after_challenge");
  auto held = checkReport(r, today, today, 80001);
  EXPECT_EQ(held.verdict, Verdict::Hold);
  EXPECT_EQ(held.code, "steps.implausible");
  EXPECT_EQ(checkReport(r, today, today, 80000).verdict, Verdict::Accept);
}

TEST(ChallengeScoring, ADayCountsItsBestReportCapped) {
  const Rules r = rules();
  MemberDays m;
  const Day day = d("2026-11-10");
  auto first = m.report(r, day, 4000);
  EXPECT_EQ(first.countedDelta, 4000);
  EXPECT_FALSE(first.newlyQualified);
  auto lower = m.report(r, day, 3500);  // an older counter value arriving late
  EXPECT_EQ(lower.after, 4000);
  EXPECT_EQ(lower.countedDelta, 0);
  auto higher = m.report(r, day, 6500);
  EXPECT_EQ(higher.before, 4000);
  EXPECT_EQ(higher.countedDelta, 2500);
  EXPECT_TRUE(higher.newlyQualified);
  EXPECT_FALSE(m.report(r, day, 7000).newlyQualified) << "qualified once";
  auto capped = m.report(r, day, 45000);
  EXPECT_EQ(capped.after, 45000) << "the day keeps what the phone said";
  EXPECT_EQ(capped.countedDelta, 30000 - 7000);
  EXPECT_EQ(m.report(r, day, 50000).countedDelta, 0) << "above the cap counts nothing more";
  auto t = m.totals(r, day);
  EXPECT_EQ(t.counted, 30000);
  EXPECT_EQ(t.daysReported, 1);
  EXPECT_EQ(t.qualifiedDays, 1);
}

TEST(ChallengeScoring, StreaksAreRunsOfQualifiedDays) {
  const Rules r = rules();
  MemberDays m;
  // Qualified on the 1st-3rd, too few on the 4th, none on the 5th, qualified 6th-9th.
  for (const char* q :
       {"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09"})
    m.report(r, d(q), 6000);
  m.report(r, d("2026-11-04"), 5999);
  auto t = m.totals(r, d("2026-11-09"));
  EXPECT_EQ(t.qualifiedDays, 7);
  EXPECT_EQ(t.longestStreak, 4);
  EXPECT_EQ(t.currentStreak, 4);
  // Today not done yet: yesterday's run is still current, even with a small count today.
  m.report(r, d("2026-11-10"), 1200);
  EXPECT_EQ(m.totals(r, d("2026-11-10")).currentStreak, 4);
  // A whole day missed breaks it.
  EXPECT_EQ(m.totals(r, d("2026-11-11")).currentStreak, 0);
  EXPECT_EQ(m.totals(r, d("2026-11-11")).longestStreak, 4);
}

TEST(ChallengeScoring, MilestonesAreReachedOnceByCountedSteps) {
  Rules r = rules();
  MemberDays m;
  std::vector<std::int64_t> reached;
  Day day = d("2026-11-01");
  for (int i = 0; i < 30; ++i, ++day) {
    auto c = m.report(r, day, 40000);  // capped at 30,000
    reached.insert(reached.end(), c.milestonesReached.begin(), c.milestonesReached.end());
    m.report(r, day, 41000);  // nothing new
  }
  EXPECT_EQ(reached, (std::vector<std::int64_t>{100000, 500000}));
  auto t = m.totals(r, day - 1);
  EXPECT_EQ(t.counted, 900000);
  EXPECT_EQ(t.milestones, (std::vector<std::int64_t>{100000, 500000}));
  // A report that jumps two milestones at once names both.
  MemberDays big(std::map<Day, int>{{d("2026-11-01"), 1}});
  r.milestones = {10, 20};
  r.dailyCap = 100;
  EXPECT_EQ(big.report(r, d("2026-11-02"), 50).milestonesReached, (std::vector<std::int64_t>{10, 20}));
}

}  // namespace
}  // namespace hub::cms::challenge
