// cms/tests/time_test.cpp
//
// RFC 3339 in and out: storage in UTC, display in Asia/Shanghai.
#include "cms/api/time.h"

#include <gtest/gtest.h>

namespace hub::cms {
namespace {

TEST(Time, FormatsInShanghaiAndUtc) {
  EXPECT_EQ(formatTime(0), "1970-01-01T08:00:00+08:00");
  EXPECT_EQ(formatUtc(1'800'000'000), "2027-01-15T08:00:00Z");
  EXPECT_EQ(formatTime(1'800'000'000), "2027-01-15T16:00:00+08:00");
  EXPECT_EQ(formatTime(1'800'000'000 + 8 * 3600), "2027-01-16T00:00:00+08:00") << "midnight rolls the date";
}

TEST(Time, ParsesOffsetsAndFractions) {
  EXPECT_EQ(*parseTime("2027-01-15T16:00:00+08:00"), 1'800'000'000);
  EXPECT_EQ(*parseTime("2027-01-15T08:00:00Z"), 1'800'000'000);
  EXPECT_EQ(*parseTime("2027-01-15T03:00:00.250-05:00"), 1'800'000'000);
  EXPECT_EQ(*parseTime(formatTime(1'234'567'890)), 1'234'567'890);
  EXPECT_EQ(*parseTimeOrEpoch("1800000000"), 1'800'000'000);
}

TEST(Time, RefusesTimesWithoutOffsetOrImpossibleDates) {
  for (const char* bad : {"2027-01-15T16:00:00", "2027-02-30T00:00:00Z", "2027-01-15", "2027-01-15T25:00:00Z",
                          "2027-01-15T16:00:00+0800", "2027-01-15T16:00:00Zjunk", ""}) {
    auto r = parseTime(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "time.invalid");
  }
}

}  // namespace
}  // namespace hub::cms
