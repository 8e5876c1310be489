// cms/schedule/tests/store_test.cpp: creating, moving and cancelling schedules, platform
// limits, recurring posts and the calendar query, on SQLite and MariaDB.
#include <gtest/gtest.h>

#include "cms/api/calendar_day.h"
#include "cms/api/time.h"
#include "cms/schedule/schedule_migrations.h"
#include "cms/schedule/schedule_store.h"
#include "cms/schedule/tests/memory_sources.h"
#include "core/sql/tests/backend_fixture.h"

namespace hub::cms::schedule {
namespace {

using namespace std::chrono_literals;

class StoreTest : public sql::testing::SqlContract {
 protected:
  void SetUp() override {
    SqlContract::SetUp();
    // cms_orgs is cms-core's table; the calendar joins it for access by organisation path.
    ASSERT_TRUE(
        db_->exec("CREATE TABLE cms_orgs (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT NULL, name "
                  "VARCHAR(255) NOT NULL, level INTEGER NOT NULL, path VARCHAR(255) NOT NULL)"));
    ASSERT_TRUE(
        db_->exec("INSERT INTO cms_orgs VALUES (1, NULL, 'province', 0, '/1/'), (2, 1, 'city A', 1, '/1/2/'),"
                  " (3, 1, 'city B', 1, '/1/3/')"));
    ASSERT_TRUE(sql::migrate(*db_, migrations()));
    sources_.addItem({.id = 10, .orgId = 2, .title = "城市新闻", .state = "approved"});
    sources_.addAccount({.id = 1,
                         .orgId = 2,
                         .name = "A 公众号",
                         .platform = "wechat_oa",
                         .kind = "subscription",
                         .active = true,
                         .settings = {}});
    sources_.addAccount({.id = 2,
                         .orgId = 2,
                         .name = "A 微博",
                         .platform = "weibo",
                         .kind = "",
                         .active = true,
                         .settings = {}});
    sources_.addAccount({.id = 3,
                         .orgId = 3,
                         .name = "B 网站",
                         .platform = "website",
                         .kind = "",
                         .active = true,
                         .settings = {}});
    sources_.addAccount({.id = 4,
                         .orgId = 2,
                         .name = "off",
                         .platform = "website",
                         .kind = "",
                         .active = false,
                         .settings = {}});
  }
  ScheduleStore store() {
    return ScheduleStore(sources_, sources_, clock_,
                         [](const AccountInfo& a) { return a.platform == "wechat_oa" ? 1 : 0; });
  }
  std::int64_t now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  }
  static bool anyOrg(std::int64_t) { return true; }

  FakeClock clock_{Clock::Wall(std::chrono::seconds(*parseTime("2026-12-01T08:00:00+08:00")))};
  test::MemorySources sources_;
};

TEST_P(StoreTest, SchedulesOneItemToManyAccountsAndTimes) {
  auto s = store();
  FieldErrors f;
  NewSchedule req{
      .itemId = 10, .accountIds = {2, 3}, .times = {now() + 3600, now() + 7200}, .recurrence = {}};
  auto rows = s.create(*db_, 5, req, anyOrg, f);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].state, "scheduled");
  EXPECT_EQ((*rows)[0].title, "城市新闻");
  EXPECT_EQ((*rows)[2].orgId, 3) << "a row belongs to its account's organisation";
  EXPECT_EQ(toJson((*rows)[0])["at"], "2026-12-01T09:00:00+08:00");
}

TEST_P(StoreTest, RefusesPastTimesUnknownForeignAndInactiveAccounts) {
  auto s = store();
  FieldErrors f;
  NewSchedule req{.itemId = 10, .accountIds = {99, 3, 4}, .times = {now() - 1, now() + 60}, .recurrence = {}};
  auto rows = s.create(
      *db_, 5, req, [](std::int64_t org) { return org == 2; }, f);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, "validation");
  EXPECT_EQ(f["times[0]"], "is in the past");
  EXPECT_EQ(f.count("times[1]"), 0u);
  EXPECT_EQ(f["account_ids[0]"], "no such account");
  EXPECT_EQ(f["account_ids[1]"], "no such account") << "another city's account is not even named";
  EXPECT_EQ(f["account_ids[2]"], "the account is not active");
  EXPECT_TRUE(db_->query("SELECT id FROM cms_schedules")->empty());
}

TEST_P(StoreTest, OneMassSendPerShanghaiDayForAWechatSubscriptionAccount) {
  auto s = store();
  FieldErrors f;
  ASSERT_TRUE(s.create(*db_, 5, {.itemId = 10, .accountIds = {1}, .times = {now() + 3600}, .recurrence = {}},
                       anyOrg, f));
  // 23:30 the same Shanghai day (15:30 UTC): refused.
  auto sameDay = *parseTime("2026-12-01T23:30:00+08:00");
  auto r =
      s.create(*db_, 5, {.itemId = 10, .accountIds = {1}, .times = {sameDay}, .recurrence = {}}, anyOrg, f);
  ASSERT_FALSE(r);
  EXPECT_NE(f["account_ids[0]"].find("1 post(s) per day"), std::string::npos) << f["account_ids[0]"];
  // 00:30 the next Shanghai day (still Dec 1 in UTC): fine.
  f.clear();
  auto nextDay = *parseTime("2026-12-02T00:30:00+08:00");
  EXPECT_TRUE(
      s.create(*db_, 5, {.itemId = 10, .accountIds = {1}, .times = {nextDay}, .recurrence = {}}, anyOrg, f));
  // Two in one request on one day: refused as well.
  f.clear();
  auto day3 = *parseTime("2026-12-03T09:00:00+08:00");
  EXPECT_FALSE(s.create(
      *db_, 5, {.itemId = 10, .accountIds = {1}, .times = {day3, day3 + 60}, .recurrence = {}}, anyOrg, f));
}

TEST_P(StoreTest, ARecurringPostBecomesRowsUntilItsEnd) {
  auto s = store();
  FieldErrors f;
  std::int64_t first = *parseTime("2026-12-01T20:00:00+08:00");
  auto rule =
      parseRecurrence(nlohmann::json{{"freq", "daily"}, {"until", "2026-12-07T23:00:00+08:00"}}, first, f);
  ASSERT_TRUE(rule);
  auto rows =
      s.create(*db_, 5, {.itemId = 10, .accountIds = {2}, .times = {first}, .recurrence = *rule}, anyOrg, f);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 7u);
  ASSERT_TRUE(rows->front().recurrenceId);
  auto n = s.cancelRecurrence(*db_, *rows->front().recurrenceId);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 7);
}

TEST_P(StoreTest, CancelAndRescheduleOnlyWhileScheduled) {
  auto s = store();
  FieldErrors f;
  auto rows = s.create(*db_, 5, {.itemId = 10, .accountIds = {2}, .times = {now() + 600}, .recurrence = {}},
                       anyOrg, f);
  ASSERT_TRUE(rows);
  auto id = rows->front().id;
  auto moved = s.reschedule(*db_, id, now() + 1200, f);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->dueAt, now() + 1200);
  EXPECT_FALSE(s.reschedule(*db_, id, now() - 5, f));
  EXPECT_EQ(f["at"], "is in the past");
  ASSERT_TRUE(s.cancel(*db_, id));
  auto again = s.cancel(*db_, id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "schedule.not_scheduled");
  EXPECT_EQ(s.get(*db_, id)->state, "canceled");
}

TEST_P(StoreTest, CalendarFiltersByRangeAccessOrgPlatformAndPages) {
  auto s = store();
  FieldErrors f;
  ASSERT_TRUE(s.create(
      *db_, 5,
      {.itemId = 10, .accountIds = {2, 3}, .times = {now() + 3600, now() + 86400 * 3}, .recurrence = {}},
      anyOrg, f));
  CalendarQuery q;
  q.from = now();
  q.to = now() + 86400;
  q.visiblePaths = {"/1/%"};
  EXPECT_EQ(s.calendar(*db_, q)->size(), 2u);
  q.to = now() + 86400 * 7;
  EXPECT_EQ(s.calendar(*db_, q)->size(), 4u);
  q.visiblePaths = {"/1/2/%"};  // a city A editor never sees city B's rows
  auto cityA = s.calendar(*db_, q);
  ASSERT_EQ(cityA->size(), 2u);
  for (const auto& r : *cityA) EXPECT_EQ(r.orgId, 2);
  q.visiblePaths = {"/1/%"};
  q.orgPath = "/1/3/";
  EXPECT_EQ(s.calendar(*db_, q)->size(), 2u);
  q.orgPath.reset();
  q.platform = "weibo";
  EXPECT_EQ(s.calendar(*db_, q)->size(), 2u);
  q.platform.reset();
  q.accountId = 3;
  q.state = "scheduled";
  EXPECT_EQ(s.calendar(*db_, q)->size(), 2u);
  q.accountId.reset();
  q.state.reset();
  q.limit = 3;
  auto page1 = s.calendar(*db_, q);
  ASSERT_EQ(page1->size(), 3u);
  q.after = std::make_pair(page1->back().dueAt, page1->back().id);
  auto page2 = s.calendar(*db_, q);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_GT(page2->front().dueAt, page1->front().dueAt);
  q.visiblePaths.clear();
  EXPECT_TRUE(s.calendar(*db_, q)->empty()) << "no grants, nothing visible";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "mysql"),
                         sql::testing::backendName);

}  // namespace
}  // namespace hub::cms::schedule
