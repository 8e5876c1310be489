// cms/analytics/tests/account_analytics_test.cpp
//
// GET /api/v1/analytics/accounts over real HTTP on SQLite and MariaDB: posts counted per
// account and state within the range, per Shanghai day with every day listed, only what the
// user's organisations cover, and 422 per field for bad ranges.
#include <gtest/gtest.h>

#include "cms/tests/support/cms_harness.h"
#include "core/sql/database.h"

namespace hub::cms::testing {
namespace {

class AnalyticsApi : public CmsApiTest {
 protected:
  // The posts below are written straight into cms_schedules, some due and with no content item:
  // no scheduler may pick them up while the figures are read.
  void configure(config::Config& c) override { c.cmsSchedule.enabled = false; }
  // 2026-11-02 00:00 +08:00
  static constexpr std::int64_t kMonday = 1'793'548'800;
  void post(std::int64_t org, std::int64_t account, const char* name, std::int64_t at, const char* state) {
    static std::int64_t item = 0;
    auto r = hub().db().exec(
        "INSERT INTO cms_schedules (org_id, item_id, account_id, platform, title, account_name, due_at, "
        "state,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, 'weibo', 't', ?, ?, ?, 1, 0, 0)",
        {org, ++item, account, std::string(name), at, std::string(state)});
    ASSERT_TRUE(r) << r.error().message;
  }
};

TEST_P(AnalyticsApi, CountsEachAccountsPostsPerStateAndDayWithinTheUsersOrganisations) {
  hub().createTwoCities();
  hub().createUser("ed-a", "password-ed-a", {{auth::Role::Editor, 2}}, 2);
  post(2, 10, "A weibo", kMonday + 3600, "published");
  post(2, 10, "A weibo", kMonday + 7200, "published");
  post(3, 10, "A weibo", kMonday + 86400 + 60, "failed");     // Tuesday, county A1
  post(2, 11, "A wechat", kMonday + 2 * 86400, "scheduled");  // Wednesday 00:00 +08:00
  post(2, 11, "A wechat", kMonday + 3 * 86400, "published");  // Thursday: outside the range
  post(4, 20, "B weibo", kMonday + 3600, "published");        // city B
  post(2, 11, "A wechat", kMonday - 1, "published");          // Sunday 23:59:59: before

  const std::string range = "from=2026-11-02T00:00:00%2B08:00&to=2026-11-05T00:00:00%2B08:00";
  auto ed = hub().login("ed-a", "password-ed-a");
  auto r = ed.get("/api/v1/analytics/accounts?" + range);
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["accounts"].size(), 2u) << r.text;  // city B's account is not theirs
  EXPECT_EQ(r.body["accounts"][0]["account_id"], 10);
  EXPECT_EQ(r.body["accounts"][0]["account_name"], "A weibo");
  EXPECT_EQ(r.body["accounts"][0]["published"], 2);
  EXPECT_EQ(r.body["accounts"][0]["failed"], 1);
  EXPECT_EQ(r.body["accounts"][1]["waiting"], 1);
  EXPECT_EQ(r.body["accounts"][1]["published"], 0);
  EXPECT_EQ(r.body["totals"]["published"], 2);
  ASSERT_EQ(r.body["days"].size(), 3u) << r.text;
  EXPECT_EQ(r.body["days"][0], (Json{{"day", "2026-11-02"}, {"published", 2}, {"failed", 0}}));
  EXPECT_EQ(r.body["days"][1], (Json{{"day", "2026-11-03"}, {"published", 0}, {"failed", 1}}));
  EXPECT_EQ(r.body["days"][2], (Json{{"day", "2026-11-04"}, {"published", 0}, {"failed", 0}}));

  auto county = ed.get("/api/v1/analytics/accounts?" + range + "&org=3");
  ASSERT_EQ(county.status, 200) << county.text;
  ASSERT_EQ(county.body["accounts"].size(), 1u);
  EXPECT_EQ(county.body["accounts"][0]["failed"], 1);
  EXPECT_EQ(ed.get("/api/v1/analytics/accounts?" + range + "&org=4").status, 404) << "another city";

  auto admin = hub().loginAdmin();
  EXPECT_EQ(admin.get("/api/v1/analytics/accounts?" + range).body["accounts"].size(), 3u);

  auto bad = ed.get("/api/v1/analytics/accounts?from=yesterday&to=2026-11-01T00:00:00%2B08:00");
  ASSERT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.body["error"]["fields"].contains("from"));
  auto backwards =
      ed.get("/api/v1/analytics/accounts?from=2026-11-05T00:00:00%2B08:00&to=2026-11-02T00:00:00%2B08:00");
  EXPECT_EQ(backwards.body["error"]["fields"]["to"], "must be after from");
  EXPECT_EQ(hub().client().get("/api/v1/analytics/accounts?" + range).status, 401);
}

HUB_CMS_BACKENDS(AnalyticsApi);

}  // namespace
}  // namespace hub::cms::testing
