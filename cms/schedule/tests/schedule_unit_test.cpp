// cms/schedule/tests/schedule_unit_test.cpp: the times the schedule API takes (cms/api/time.h), Shanghai
// days, recurrence rules and backoff.
#include <gtest/gtest.h>

#include "cms/api/calendar_day.h"
#include "cms/api/time.h"
#include "cms/schedule/backoff.h"
#include "cms/schedule/recurrence.h"

namespace hub::cms::schedule {
namespace {

using namespace std::chrono_literals;

TEST(TimeText, ParsesRfc3339WithOffsets) {
  EXPECT_EQ(*parseTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parseTime("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(*parseTime("2026-12-01T09:30:00+08:00"), *parseTime("2026-12-01T01:30:00Z"));
  EXPECT_EQ(*parseTime("2026-12-01T01:30:00.250Z"), *parseTime("2026-12-01T01:30:00Z"));
  EXPECT_EQ(*parseTime("2024-02-29T00:00:00-05:00"), *parseTime("2024-02-29T05:00:00Z"));
}

TEST(TimeText, RefusesTimesWithoutOffsetOrOutOfRange) {
  EXPECT_FALSE(parseTime("2026-12-01T09:30:00"));
  EXPECT_FALSE(parseTime("2026-12-01 09:30"));
  EXPECT_FALSE(parseTime("2026-13-01T09:30:00Z"));
  EXPECT_FALSE(parseTime("2025-02-29T09:30:00Z"));
  EXPECT_FALSE(parseTime("2026-12-01T24:00:00Z"));
  EXPECT_FALSE(parseTime("2026-12-01T09:30:00+8:00"));
  EXPECT_FALSE(parseTime("2026-12-01T09:30:00Zjunk"));
  EXPECT_FALSE(parseTime(""));
}

TEST(TimeText, ShowsAsiaShanghai) {
  EXPECT_EQ(formatTime(*parseTime("2026-12-01T01:30:00Z")), "2026-12-01T09:30:00+08:00");
  EXPECT_EQ(formatTime(*parseTime("2026-12-31T16:00:00Z")), "2027-01-01T00:00:00+08:00");
  // 23:59 UTC on the 1st is already the 2nd in Shanghai.
  EXPECT_EQ(shanghaiDay(*parseTime("2026-12-01T23:59:00Z")),
            shanghaiDay(*parseTime("2026-12-02T00:01:00+08:00")));
}

TEST(Recurrence, DailyUntilAnEndInclusive) {
  Recurrence r;
  r.first = *parseTime("2026-12-01T09:00:00+08:00");
  r.until = *parseTime("2026-12-05T09:00:00+08:00");
  auto t = expand(r, 100);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 5u);
  EXPECT_EQ(formatTime(t->back()), "2026-12-05T09:00:00+08:00");
  r.interval = 2;
  EXPECT_EQ(expand(r, 100)->size(), 3u);
}

TEST(Recurrence, WeeklyOnChosenDaysWithCount) {
  std::map<std::string, std::string> fields;
  std::int64_t first = *parseTime("2026-12-02T20:00:00+08:00");  // a Wednesday
  auto r = parseRecurrence(
      nlohmann::json{{"freq", "weekly"}, {"weekdays", {"mon", "wed", "fri"}}, {"count", 5}}, first, fields);
  ASSERT_TRUE(r) << fields.begin()->second;
  auto t = expand(*r, 100);
  ASSERT_TRUE(t);
  std::vector<std::string> shown;
  for (auto x : *t) shown.push_back(formatTime(x));
  EXPECT_EQ(shown, (std::vector<std::string>{"2026-12-02T20:00:00+08:00", "2026-12-04T20:00:00+08:00",
                                             "2026-12-07T20:00:00+08:00", "2026-12-09T20:00:00+08:00",
                                             "2026-12-11T20:00:00+08:00"}));
}

TEST(Recurrence, NeedsAnEndAndSaneFields) {
  std::map<std::string, std::string> fields;
  EXPECT_FALSE(parseRecurrence(nlohmann::json{{"freq", "daily"}}, 1'800'000'000, fields));
  EXPECT_TRUE(fields.count("recurrence.until"));
  fields.clear();
  EXPECT_FALSE(parseRecurrence(nlohmann::json{{"freq", "hourly"}, {"count", 2}, {"interval", 0}}, 0, fields));
  EXPECT_TRUE(fields.count("recurrence.freq"));
  EXPECT_TRUE(fields.count("recurrence.interval"));
  fields.clear();
  EXPECT_FALSE(parseRecurrence(nlohmann::json{{"freq", "weekly"}, {"weekdays", {"someday"}}, {"count", 2}}, 0,
                               fields));
  EXPECT_TRUE(fields.count("recurrence.weekdays"));
}

TEST(Recurrence, TooManyOccurrencesIsRefused) {
  Recurrence r;
  r.first = 1'800'000'000;
  r.until = r.first + 1000 * 86400;
  auto t = expand(r, 400);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, "schedule.recurrence_too_long");
}

TEST(Backoff, DoublesUpToTheCapWithEqualJitter) {
  BackoffPolicy p;
  p.base = 1000ms;
  p.max = 8000ms;
  EXPECT_EQ(backoffDelay(p, 1, 0.0), 500ms);
  EXPECT_EQ(backoffDelay(p, 1, 1.0), 1000ms);
  EXPECT_EQ(backoffDelay(p, 2, 1.0), 2000ms);
  EXPECT_EQ(backoffDelay(p, 3, 0.5), 3000ms);
  EXPECT_EQ(backoffDelay(p, 10, 1.0), 8000ms);
  EXPECT_EQ(backoffDelay(p, 60, 0.0), 4000ms);  // no overflow far out
  for (int i = 0; i < 100; ++i) {
    double u = jitterUnit();
    EXPECT_GE(u, 0.0);
    EXPECT_LE(u, 1.0);
  }
}

}  // namespace
}  // namespace hub::cms::schedule
