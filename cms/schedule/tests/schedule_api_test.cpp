// cms/schedule/tests/schedule_api_test.cpp
//
// Scheduling over real HTTP on SQLite and MariaDB, with the scheduler running against the fake
// platform: approved content scheduled to several accounts is published when due (the test
// moves the hub's clock), 422s per field (past times, accounts outside the caller's
// organisations, a WeChat account's one post a day), 404/403 across organisations, moving and
// cancelling, the calendar query, and the failure notification on the bus.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "cms/api/calendar_day.h"
#include "cms/api/cms_context.h"
#include "cms/api/time.h"
#include "cms/schedule/cms_sources.h"
#include "cms/schedule/scheduler.h"
#include "cms/tests/support/cms_harness.h"
#include "core/bus/bus.h"
#include "tests/support/fake_platform/fake_platform.h"

namespace hub::cms::testing {
namespace {

using namespace std::chrono_literals;

class ScheduleApi : public CmsApiTest {
 protected:
  void configure(config::Config& c) override {
    dir_ = std::filesystem::temp_directory_path() / ("cms-schedule-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    c.data.dir = dir_.string();
    c.cmsContent.credentialsKey = std::string(64, 'e');
    c.cmsSchedule.tickMs = 50;
    c.cmsSchedule.requestTimeoutMs = 3000;
    c.cmsSchedule.wechatBaseUrl = fake_.url();
    c.cmsSchedule.wechatPollIntervalMs = 0;
    c.cmsSchedule.maxAttempts = 3;
  }
  void TearDown() override {
    CmsApiTest::TearDown();
    std::filesystem::remove_all(dir_);
  }

  void setUpOrgs() {
    hub().createOrg(1, 0, "省总工会", 1);
    hub().createOrg(2, 1, "甲市", 2);
    hub().createOrg(3, 1, "乙市", 2);
    hub().createUser("ed2", "password-ed2", {{auth::Role::Editor, 2}}, 2);
    hub().createUser("rev2", "password-rev2", {{auth::Role::Reviewer, 2}}, 2);
  }
  // Signed-in clients, made once per test (each sign-in is an Argon2id check).
  CmsClient& ed2() {
    if (!ed2_) ed2_ = hub().login("ed2", "password-ed2");
    return *ed2_;
  }
  CmsClient& rev2() {
    if (!rev2_) rev2_ = hub().login("rev2", "password-rev2");
    return *rev2_;
  }
  // An editor of the other city.
  CmsClient ed3() {
    hub().createUser("ed3", "password-ed3", {{auth::Role::Editor, 3}}, 3);
    return hub().login("ed3", "password-ed3");
  }
  std::int64_t account(CmsClient& admin, std::int64_t org, const std::string& name,
                       const std::string& platform = "website") {
    Json body = {{"org_id", org}, {"platform", platform}, {"name", name}};
    if (platform == "wechat_oa") {
      body["settings"] = {{"app_id", "wx-" + name}};
      body["credentials"] = {{"app_secret", "s"}};
    } else {
      body["settings"] = {{"url", fake_.url() + "/hook/" + name},
                          {"lookup_url", fake_.url() + "/hook/" + name + "/lookup"}};
      body["credentials"] = {{"secret", fake_.secret()}};
    }
    auto r = admin.post("/api/v1/accounts", body);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }
  // A small JPEG uploaded to org 2's media library by `ed`; returns its media id.
  std::int64_t uploadCover(CmsClient& ed) {
    const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(200, 'j');
    auto up = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "cover.jpg"}, {"size", jpeg.size()}});
    EXPECT_EQ(up.status, 201) << up.text;
    auto id = std::to_string(up.body.value("id", std::int64_t{0}));
    auto put = ed.request("PUT", "/api/v1/media/uploads/" + id, jpeg,
                          "Content-Range: bytes 0-" + std::to_string(jpeg.size() - 1) + "/" +
                              std::to_string(jpeg.size()) + "\r\n",
                          "application/octet-stream");
    EXPECT_EQ(put.status, 200) << put.text;
    auto done = ed.post("/api/v1/media/uploads/" + id + "/complete");
    EXPECT_EQ(done.status, 200) << done.text;
    return up.body.value("id", std::int64_t{0});
  }
  // An article of org 2, written by ed2 (with a cover from the media library when asked) and
  // approved by rev2.
  std::int64_t approvedItem(const std::string& title, bool withCover = false) {
    auto& ed = ed2();
    Json body = {{"org_id", 2}, {"type", "article"}, {"title", title}, {"body", "正文 " + title}};
    if (withCover) body["cover_media_id"] = uploadCover(ed);
    auto r = ed.post("/api/v1/content", body);
    EXPECT_EQ(r.status, 201) << r.text;
    auto id = std::to_string(r.body.value("id", std::int64_t{0}));
    EXPECT_EQ(ed.post("/api/v1/content/" + id + "/submit").status, 200);
    auto a = rev2().post("/api/v1/content/" + id + "/approve");
    EXPECT_EQ(a.status, 200) << a.text;
    return r.body.value("id", std::int64_t{0});
  }
  std::string at(std::chrono::seconds fromNow) {
    auto t =
        std::chrono::duration_cast<std::chrono::seconds>(hub().clock().wall().time_since_epoch()) + fromNow;
    return cms::formatTime(t.count());
  }
  // Polls GET /api/v1/schedules/:id until its state is `want` (false after 15 s).
  bool waitState(CmsClient& c, std::int64_t id, const std::string& want) {
    for (int i = 0; i < 300; ++i) {
      auto r = c.get("/api/v1/schedules/" + std::to_string(id));
      if (r.body.value("state", "") == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Polls the item's own state (GET /api/v1/content/:id/targets) until it is `want`.
  bool waitItemState(CmsClient& c, std::int64_t item, const std::string& want) {
    for (int i = 0; i < 300; ++i) {
      auto r = c.get("/api/v1/content/" + std::to_string(item) + "/targets");
      if (r.body.value("state", "") == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::optional<CmsClient> ed2_, rev2_;
  hub::test::FakePlatform fake_;
  std::filesystem::path dir_;
};

TEST_P(ScheduleApi, ApprovedContentIsPublishedToEveryAccountWhenDue) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto a1 = account(admin, 2, "site-a");
  auto a2 = account(admin, 2, "app-a");
  auto item = approvedItem("劳模表彰");
  auto& ed = ed2();
  auto r =
      ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {a1, a2}}, {"times", {at(3600s)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  ASSERT_EQ(r.body["schedules"].size(), 2u);
  auto first = r.body["schedules"][0];
  EXPECT_EQ(first["state"], "scheduled");
  EXPECT_EQ(first["at"].get<std::string>().substr(19), "+08:00") << "shown in Asia/Shanghai";
  EXPECT_EQ(ed.get("/api/v1/content/" + std::to_string(item)).body["state"], "scheduled");
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(fake_.posts().empty()) << "nothing before it is due";

  hub().clock().advance(3601s);
  for (const auto& s : r.body["schedules"])
    ASSERT_TRUE(waitState(ed, s["id"].get<std::int64_t>(), "published"));
  auto posts = fake_.posts();
  ASSERT_EQ(posts.size(), 2u);
  std::set<std::int64_t> accounts;
  for (const auto& p : posts) {
    EXPECT_EQ(p["item_id"], item);
    EXPECT_EQ(p["title"], "劳模表彰");
    accounts.insert(p["account_id"].get<std::int64_t>());
  }
  EXPECT_EQ(accounts, (std::set<std::int64_t>{a1, a2}));
  EXPECT_EQ(fake_.stats()["bad_signatures"], 0) << "signed with the account's sealed secret";

  // The item followed its targets: scheduled -> publishing -> published, each move logged
  // (by the scheduler) and audited.
  const std::string itemPath = "/api/v1/content/" + std::to_string(item);
  ASSERT_TRUE(waitItemState(ed, item, "published"));
  auto targets = ed.get(itemPath + "/targets");
  ASSERT_EQ(targets.status, 200) << targets.text;
  EXPECT_EQ(targets.body["state"], "published");
  ASSERT_EQ(targets.body["targets"].size(), 2u);
  for (const auto& t : targets.body["targets"]) {
    EXPECT_EQ(t["state"], "published");
    EXPECT_TRUE(t["last_error"].is_null());
  }
  auto log = ed.get(itemPath + "/transitions");
  ASSERT_EQ(log.status, 200) << log.text;
  std::vector<std::string> moves;
  for (const auto& t : log.body["items"]) moves.push_back(t.value("from", "") + ">" + t.value("to", ""));
  ASSERT_GE(moves.size(), 2u) << log.text;
  EXPECT_EQ(moves[moves.size() - 2], "scheduled>publishing") << log.text;
  EXPECT_EQ(moves.back(), "publishing>published") << log.text;
  auto audit = admin.get("/api/v1/audit?action=content.state&object_id=" + std::to_string(item));
  ASSERT_EQ(audit.status, 200) << audit.text;
  EXPECT_EQ(audit.body["items"].size(), 2u) << audit.text;
}

TEST_P(ScheduleApi, AnUnconfirmedTargetKeepsTheItemPublishingUntilReconciled) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto a1 = account(admin, 2, "site-a");
  auto item = approvedItem("未确认");
  auto& ed = ed2();
  fake_.configure({{"fail_next", 1}, {"fail_status", 500}});  // outcome unknown: maybe it arrived
  auto r = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {a1}}, {"times", {at(60s)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  const auto id = r.body["schedules"][0]["id"].get<std::int64_t>();
  hub().clock().advance(61s);
  ASSERT_TRUE(waitState(ed, id, "unconfirmed"));
  auto targets = ed.get("/api/v1/content/" + std::to_string(item) + "/targets");
  EXPECT_EQ(targets.body["state"], "publishing") << targets.text;
  EXPECT_EQ(targets.body["targets"][0]["state"], "unconfirmed");
  EXPECT_NE(targets.body["targets"][0]["last_error"].get<std::string>().find("500"), std::string::npos)
      << targets.text;
  EXPECT_TRUE(fake_.posts().empty()) << "never sent again before the platform was asked";
  // The lookup says the platform never got it (after the grace period): sent once more.
  hub().clock().advance(std::chrono::seconds(hub().config().cmsSchedule.reconcileGraceSeconds + 10));
  ASSERT_TRUE(waitState(ed, id, "published"));
  ASSERT_TRUE(waitItemState(ed, item, "published"));
  EXPECT_EQ(fake_.posts().size(), 1u);
}

TEST_P(ScheduleApi, BadSchedulesAre422PerField) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto mine = account(admin, 2, "site-a");
  auto theirs = account(admin, 3, "site-b");
  auto item = approvedItem("x");
  auto& ed = ed2();
  auto r =
      ed.post("/api/v1/schedules",
              {{"item_id", item}, {"account_ids", {mine, theirs, 99999}}, {"times", {at(-60s), at(600s)}}});
  ASSERT_EQ(r.status, 422) << r.text;
  auto f = r.body["error"]["fields"];
  EXPECT_EQ(f["times[0]"], "is in the past");
  EXPECT_FALSE(f.contains("times[1]"));
  EXPECT_EQ(f["account_ids[1]"], "no such account") << "another city's account is not named";
  EXPECT_EQ(f["account_ids[2]"], "no such account");
  auto bad = ed.post("/api/v1/schedules",
                     {{"item_id", item}, {"account_ids", {mine}}, {"times", {"2026-12-01 09:00"}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.body["error"]["fields"].contains("times[0]"));
  // "now" is a second from now by the hub's clock, whatever the caller's clock says (the clock
  // runs: the answer lies between a second after the request was sent and a second after it came).
  const std::string earliest = at(1s);
  auto now = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {mine}}, {"times", {"now"}}});
  const std::string latest = at(1s);
  ASSERT_EQ(now.status, 201) << now.text;
  const std::string got = now.body["schedules"][0].value("at", "");
  EXPECT_GE(got, earliest) << now.text;  // same format and offset: text order is time order
  EXPECT_LE(got, latest) << now.text;
  auto noEnd = ed.post("/api/v1/schedules", {{"item_id", item},
                                             {"account_ids", {mine}},
                                             {"times", {at(600s)}},
                                             {"recurrence", {{"freq", "daily"}}}});
  EXPECT_EQ(noEnd.status, 422);
  EXPECT_TRUE(noEnd.body["error"]["fields"].contains("recurrence.until"));
}

TEST_P(ScheduleApi, OneWechatMassSendPerDay) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto wx = account(admin, 2, "wx-a", "wechat_oa");
  auto item = approvedItem("公众号", true);
  auto& ed = ed2();
  // Two times on one Shanghai day: the limit counts them together.
  auto day =
      cms::shanghaiDay(
          std::chrono::duration_cast<std::chrono::seconds>(hub().clock().wall().time_since_epoch()).count()) +
      2;
  auto morning = cms::formatTime(day * 86400 - 8 * 3600 + 9 * 3600);
  auto evening = cms::formatTime(day * 86400 - 8 * 3600 + 20 * 3600);
  auto first = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {wx}}, {"times", {morning}}});
  ASSERT_EQ(first.status, 201) << first.text;
  auto r = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {wx}}, {"times", {evening}}});
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_NE(r.body["error"]["fields"]["account_ids[0]"].get<std::string>().find("per day"),
            std::string::npos);
}

TEST_P(ScheduleApi, AnItemThatBreaksAnAccountsPlatformLimitsIsRefusedForThatAccountOnly) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto site = account(admin, 2, "site-limits");
  auto wx = account(admin, 2, "wx-limits", "wechat_oa");
  // Approved without a cover: a website takes it, a WeChat official account needs one.
  auto item = approvedItem("无封面");
  auto& ed = ed2();
  auto r = ed.post("/api/v1/schedules",
                   {{"item_id", item}, {"account_ids", {site, wx}}, {"times", {at(std::chrono::hours(2))}}});
  ASSERT_EQ(r.status, 422) << r.text;
  const auto& fields = r.body["error"]["fields"];
  ASSERT_TRUE(fields.contains("account_ids[1].cover")) << r.text;
  EXPECT_NE(fields["account_ids[1].cover"].get<std::string>().find("required"), std::string::npos) << r.text;
  for (const auto& [key, msg] : fields.items())
    EXPECT_EQ(key.rfind("account_ids[0]", 0), std::string::npos) << key;
  // Nothing was scheduled, for either account.
  auto targets = ed.get("/api/v1/content/" + std::to_string(item) + "/targets");
  ASSERT_EQ(targets.status, 200) << targets.text;
  EXPECT_EQ(targets.body.value("state", ""), "approved") << targets.text;
  // The website alone is fine.
  auto ok = ed.post("/api/v1/schedules",
                    {{"item_id", item}, {"account_ids", {site}}, {"times", {at(std::chrono::hours(2))}}});
  EXPECT_EQ(ok.status, 201) << ok.text;
}

TEST_P(ScheduleApi, OtherOrganisationsSee404AndNonEditors403) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto mine = account(admin, 2, "site-a");
  auto item = approvedItem("y");
  auto& ed = ed2();
  auto r = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {mine}}, {"times", {at(600s)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  auto id = std::to_string(r.body["schedules"][0]["id"].get<std::int64_t>());
  auto ed3 = this->ed3();
  EXPECT_EQ(ed3.get("/api/v1/schedules/" + id).status, 404);
  EXPECT_EQ(ed3.del("/api/v1/schedules/" + id).status, 404);
  EXPECT_EQ(ed3.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {mine}}, {"times", {at(900s)}}})
                .status,
            404);
  auto& rev = rev2();
  EXPECT_EQ(rev.get("/api/v1/schedules/" + id).status, 200);
  EXPECT_EQ(rev.del("/api/v1/schedules/" + id).status, 403);
  EXPECT_EQ(hub().client().get("/api/v1/calendar?from=x&to=y").status, 401);
}

TEST_P(ScheduleApi, MoveAndCancelWhileScheduled) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto mine = account(admin, 2, "site-a");
  auto item = approvedItem("z");
  auto& ed = ed2();
  auto r = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {mine}}, {"times", {at(600s)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  auto id = "/api/v1/schedules/" + std::to_string(r.body["schedules"][0]["id"].get<std::int64_t>());
  const auto later = at(7200s);  // once: a second may pass between two calls
  auto moved = ed.patch(id, {{"at", later}});
  ASSERT_EQ(moved.status, 200) << moved.text;
  EXPECT_EQ(moved.body["at"], later);
  EXPECT_EQ(ed.patch(id, {{"at", at(-10s)}}).status, 422);
  EXPECT_EQ(ed.del(id).status, 200);
  EXPECT_EQ(ed.get(id).body["state"], "canceled");
  auto again = ed.del(id);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.errorCode(), "schedule.not_scheduled");
  auto audit = admin.get("/api/v1/audit?action=schedule.cancel");
  EXPECT_EQ(audit.status, 200) << audit.text;
}

TEST_P(ScheduleApi, CalendarIsRangedFilteredAndAccessChecked) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto a2 = account(admin, 2, "site-a");
  auto a3 = account(admin, 3, "site-b");
  auto item = approvedItem("calendar");
  ASSERT_EQ(admin
                .post("/api/v1/schedules",
                      {{"item_id", item}, {"account_ids", {a2, a3}}, {"times", {at(3600s), at(86400s)}}})
                .status,
            201);
  auto q = "/api/v1/calendar?from=" + hub::cms::connectors::urlEncode(at(0s)) +
           "&to=" + hub::cms::connectors::urlEncode(at(7 * 86400s));
  auto all = admin.get(q);
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["items"].size(), 4u);
  auto& ed = ed2();
  auto mine = ed.get(q);
  ASSERT_EQ(mine.body["items"].size(), 2u);
  for (const auto& i : mine.body["items"]) EXPECT_EQ(i["account_id"], a2);
  EXPECT_EQ(admin.get(q + "&org=3").body["items"].size(), 2u);
  EXPECT_EQ(admin.get(q + "&account=" + std::to_string(a2) + "&state=scheduled").body["items"].size(), 2u);
  auto page = admin.get(q + "&limit=3");
  ASSERT_EQ(page.body["items"].size(), 3u);
  auto rest = admin.get(q + "&limit=3&cursor=" + page.body["next_cursor"].get<std::string>());
  EXPECT_EQ(rest.body["items"].size(), 1u);
  EXPECT_EQ(ed.get(q + "&org=3").status, 404);
  auto tooLong = admin.get("/api/v1/calendar?from=" + hub::cms::connectors::urlEncode(at(0s)) +
                           "&to=" + hub::cms::connectors::urlEncode(at(400 * 86400s)));
  EXPECT_EQ(tooLong.status, 422);
  EXPECT_EQ(admin.get("/api/v1/calendar").status, 422);
}

TEST_P(ScheduleApi, AFailedPostRaisesANotificationNamingItemAndAccount) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto mine = account(admin, 2, "site-a");
  auto item = approvedItem("fails");
  std::mutex mu;
  std::vector<Json> events;
  auto sub = hub().ctx().base.bus.subscribe(cms::schedule::kNotificationsTopic, [&](auto, auto payload) {
    std::lock_guard lock(mu);
    events.push_back(Json::parse(payload));
  });
  fake_.configure({{"fail_next", 5}, {"fail_status", 422}});
  auto& ed = ed2();
  auto r = ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {mine}}, {"times", {at(60s)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  hub().clock().advance(61s);
  ASSERT_TRUE(waitState(ed, r.body["schedules"][0]["id"].get<std::int64_t>(), "failed"));
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(mu);
      if (!events.empty()) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "publish.failed");
  EXPECT_EQ(events[0]["item_id"], item);
  EXPECT_EQ(events[0]["title"], "fails");
  EXPECT_EQ(events[0]["account_id"], mine);
  EXPECT_EQ(events[0]["account_name"], "site-a");
  EXPECT_NE(events[0]["error"].get<std::string>().find("422"), std::string::npos) << events[0].dump();
  // The item failed with its target, which shows why.
  ASSERT_TRUE(waitItemState(ed, item, "failed"));
  auto targets = ed.get("/api/v1/content/" + std::to_string(item) + "/targets");
  ASSERT_EQ(targets.status, 200) << targets.text;
  EXPECT_EQ(targets.body["targets"][0]["state"], "failed");
  EXPECT_NE(targets.body["targets"][0]["last_error"].get<std::string>().find("422"), std::string::npos);
  auto ed3 = this->ed3();
  EXPECT_EQ(ed3.get("/api/v1/content/" + std::to_string(item) + "/targets").status, 404);
}

TEST_P(ScheduleApi, AClaimSendsEachAccountItsOwnVariantAsPerRowReadsWould) {
  setUpOrgs();
  auto admin = hub().loginAdmin();
  auto a1 = account(admin, 2, "site-a");
  auto a2 = account(admin, 2, "app-a");
  auto plain = approvedItem("无版本");
  auto& ed = ed2();
  // An item with its own version for site-a, written while a draft, then approved.
  auto created =
      ed.post("/api/v1/content", {{"org_id", 2}, {"type", "article"}, {"title", "有版本"}, {"body", "正文"}});
  ASSERT_EQ(created.status, 201) << created.text;
  const std::int64_t adapted = created.body.value("id", std::int64_t{0});
  const std::string path = "/api/v1/content/" + std::to_string(adapted);
  auto v =
      ed.put(path + "/variants/" + std::to_string(a1), {{"title", "网站版标题"}, {"body", "网站版正文"}});
  ASSERT_EQ(v.status, 200) << v.text;
  ASSERT_EQ(ed.post(path + "/submit").status, 200);
  auto approved = rev2().post(path + "/approve");
  ASSERT_EQ(approved.status, 200) << approved.text;

  // The claim's reading of many targets at once answers exactly what one read per row does.
  cms::schedule::CmsSources sources(nullptr, hub().clock());
  const std::int64_t gone = adapted + 1000;
  std::vector<cms::schedule::ContentSource::Target> targets{
      {plain, a1}, {plain, a2}, {adapted, a1}, {adapted, a2}, {gone, a1}};
  auto many = sources.variantsMany(hub().db(), targets);
  ASSERT_TRUE(many) << many.error().message;
  ASSERT_EQ(many->size(), targets.size());
  for (const auto& t : targets) {
    auto one = sources.variant(hub().db(), t.first, t.second);
    const auto& got = many->at(t);
    ASSERT_EQ(static_cast<bool>(one), static_cast<bool>(got)) << t.first << "/" << t.second;
    if (one)
      EXPECT_EQ(*one, *got) << t.first << "/" << t.second;
    else
      EXPECT_EQ(one.error().code, got.error().code);
  }
  EXPECT_EQ(many->at({adapted, a1})->at("title"), "网站版标题");
  EXPECT_EQ(many->at({adapted, a2})->at("title"), "有版本");
  EXPECT_EQ(many->at({gone, a1}).error().code, "schedule.item_not_found");

  // What each account receives when both items are claimed together.
  for (auto item : {plain, adapted}) {
    auto r =
        ed.post("/api/v1/schedules", {{"item_id", item}, {"account_ids", {a1, a2}}, {"times", {at(60s)}}});
    ASSERT_EQ(r.status, 201) << r.text;
  }
  hub().clock().advance(61s);
  ASSERT_TRUE(waitItemState(ed, plain, "published"));
  ASSERT_TRUE(waitItemState(ed, adapted, "published"));
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> titles;
  for (const auto& p : fake_.posts())
    titles[{p["item_id"].get<std::int64_t>(), p["account_id"].get<std::int64_t>()}] = p.value("title", "");
  EXPECT_EQ(titles,
            (std::map<std::pair<std::int64_t, std::int64_t>, std::string>{{{plain, a1}, "无版本"},
                                                                          {{plain, a2}, "无版本"},
                                                                          {{adapted, a1}, "网站版标题"},
                                                                          {{adapted, a2}, "有版本"}}));
}

HUB_CMS_BACKENDS(ScheduleApi);

}  // namespace
}  // namespace hub::cms::testing
