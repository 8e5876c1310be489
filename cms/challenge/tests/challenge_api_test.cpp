// cms/challenge/tests/challenge_api_test.cpp
//
// The challenges' HTTP API on SQLite (boards in memory) and MariaDB (boards on this run's
// Redis): challenges and app credentials, step submissions with idempotency, every refusal
// code, held reports and their approval, scope, the rate limit, audit rows, leaderboards, the
// member page through a signed link, and after a burst of concurrent and repeated submissions
// boards equal to a ranking recomputed from SQL, also after clearing and a rebuild.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "cms/api/time.h"
#include "cms/challenge/app_credentials.h"
#include "cms/challenge/challenge_cache.h"
#include "cms/challenge/day.h"
#include "cms/challenge/member_cache.h"
#include "cms/challenge/member_import.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/redis_ranking.h"
#include "cms/tests/support/cms_harness.h"
#include "core/bus/redis_connection.h"
#include "core/sql/change_feed.h"
#include "core/sql/change_watcher.h"
#include "core/sql/database.h"
#include "core/sql/transaction.h"
#include "tests/support/fixtures.h"

namespace hub::cms::challenge {
namespace {

using testing::CmsClient;
using testing::HttpReply;

constexpr const char* kAdminToken = "challenge-admin-token-0123";

std::string uniquePrefix() {
  static std::atomic<int> n{0};
  return "test:" + std::to_string(::getpid()) + ":" + std::to_string(n++) + ":";
}

class ChallengeApi : public testing::CmsApiTest {
 protected:
  void configure(config::Config& c) override {
    c.admin.token = kAdminToken;
    c.cmsContent.credentialsKey = std::string(64, 'a');
    c.cms.challengeAppPerMinute = perMinute_;
    prefix_ = uniquePrefix();
    c.cms.challengeRankingPrefix = prefix_;
    c.cms.challengeRanking = GetParam() == "mysql" ? test::redisUrl() : "memory";
  }

  // Orgs: 1 province: 2 city A (3 county A1: 6, 7 grassroots), 4 city B (5 county B1: 8).
  // Members m1..m6 in 6, m7..m8 in 7, b1..b2 in 8.
  void SetUp() override {
    testing::CmsApiTest::SetUp();
    hub().createTwoCities();
    hub().createOrg(6, 3, "union A1a", 4);
    hub().createOrg(7, 3, "union A1b", 4);
    hub().createOrg(8, 5, "union B1a", 4);
    std::string csv = "member_no,name,org_id\n";
    for (int i = 1; i <= 6; ++i) csv += "m" + std::to_string(i) + ",成员" + std::to_string(i) + ",6\n";
    csv += "m7,成员7,7\nm8,成员8,7\nb1,乙1,8\nb2,乙2,8\n";
    auto r = importMembers(hub().db(), hub().ctx().orgs, csv, hub().clock());
    ASSERT_TRUE(r && r->ok());
    today_ = shanghaiDay(nowSeconds(hub().clock()));
    admin_ = std::make_unique<CmsClient>(hub().loginAdmin());
  }

  CmsClient& admin() { return *admin_; }

  // A challenge over city A (2) from 10 days ago to 10 days ahead, cap 30000, qualify 6000.
  std::int64_t createChallenge(Json extra = Json::object()) {
    Json body = {{"name", "万步走"},
                 {"org_id", 2},
                 {"start_date", formatDay(today_ - 10)},
                 {"end_date", formatDay(today_ + 10)},
                 {"daily_cap", 30000},
                 {"qualify_steps", 6000},
                 {"team_level", "grassroots"},
                 {"milestones", {10000, 50000}},
                 {"backfill_days", 3},
                 {"plausible_max", 80000}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    auto r = admin().post("/api/v1/challenges", body);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }

  struct AppCred {
    std::int64_t id = 0;
    std::string secret, bearer;
  };
  AppCred createApp(std::int64_t orgId = 0) {
    auto r = admin().post("/api/v1/challenge-apps", {{"name", "app"}, {"org_id", orgId}});
    EXPECT_EQ(r.status, 201) << r.text;
    return AppCred{r.body.value("id", std::int64_t{0}), r.body.value("secret", ""),
                   r.body.value("bearer", "")};
  }

  HttpReply submit(const std::string& bearer, std::int64_t cid, const std::string& key, const Json& body) {
    return submitText(bearer, cid, key, body.dump());
  }
  HttpReply submitText(const std::string& bearer, std::int64_t cid, const std::string& key,
                       const std::string& text) {
    std::string headers = "Authorization: Bearer " + bearer + "\r\n";
    if (!key.empty()) headers += "Idempotency-Key: " + key + "\r\n";
    return hub().client().request("POST", "/api/v1/challenges/" + std::to_string(cid) + "/steps", text,
                                  headers);
  }
  HttpReply steps(const AppCred& app, std::int64_t cid, const std::string& key, const std::string& member,
                  Day day, Json steps) {
    return submit(app.bearer, cid, key, {{"member_no", member}, {"date", formatDay(day)}, {"steps", steps}});
  }

  std::string link(const AppCred& app, const std::string& member) {
    const auto expires = nowSeconds(hub().clock()) + 3600;
    return "app=" + std::to_string(app.id) + "&member=" + member + "&expires=" + std::to_string(expires) +
           "&sig=" + memberLinkSignature(app.secret, member, expires);
  }

  // member_no -> counted total, recomputed from the days in SQL.
  std::map<std::string, std::int64_t> totalsFromSql(std::int64_t cid, int cap) {
    auto rows = hub().db().query(
        "SELECT m.member_no, d.best FROM cms_challenge_days d JOIN cms_members m ON m.id = d.member_id "
        "WHERE d.challenge_id = ?",
        {cid});
    EXPECT_TRUE(rows);
    std::map<std::string, std::int64_t> out;
    auto parts = hub().db().query(
        "SELECT m.member_no FROM cms_challenge_participants p JOIN cms_members m ON m.id = p.member_id "
        "WHERE p.challenge_id = ?",
        {cid});
    EXPECT_TRUE(parts);
    for (const auto& r : *parts) out[r.getString("member_no")] = 0;
    for (const auto& r : *rows)
      out[r.getString("member_no")] += std::min<std::int64_t>(r.getInt("best"), cap);
    return out;
  }

  std::map<std::string, std::int64_t> board(std::int64_t cid, const std::string& query) {
    std::map<std::string, std::int64_t> out;
    auto r = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/leaderboard?limit=100&" + query);
    EXPECT_EQ(r.status, 200) << r.text;
    for (const auto& e : r.body["entries"])
      out[e.contains("member_no") ? e["member_no"].get<std::string>()
                                  : std::to_string(e["org_id"].get<int>())] = e["score"].get<std::int64_t>();
    return out;
  }

  // Phases: each test below runs some of them in one hub (a MariaDB hub takes seconds to set up).
  void ChallengesAreValidatedScopedAndAudited();
  void StepsAreIdempotentBestOfDayCappedAndAudited();
  void BadInputGetsItsCode();
  void ImplausibleReportsAreHeldUntilApproved();
  void RevocationElsewhereDropsTheCachedCredential();
  void ReimportElsewhereDropsTheCachedMember();
  void EditsReachTheCachedChallenge();
  void LeaderboardsMemberPageAndOrganisations();
  void ConcurrentRepeatedSubmissionsMatchSqlAndRebuild();

  int perMinute_ = 100000;
  std::string prefix_;
  Day today_ = 0;
  std::unique_ptr<CmsClient> admin_;
};

void ChallengeApi::ChallengesAreValidatedScopedAndAudited() {
  auto bad = admin().post("/api/v1/challenges", {{"name", ""},
                                                 {"org_id", 999},
                                                 {"start_date", "2026-02-30"},
                                                 {"end_date", "x"},
                                                 {"registration", "maybe"},
                                                 {"team_level", "village"},
                                                 {"daily_cap", -1},
                                                 {"milestones", {5, 3}}});
  ASSERT_EQ(bad.status, 422) << bad.text;
  for (const char* f :
       {"name", "org_id", "start_date", "end_date", "registration", "team_level", "daily_cap", "milestones"})
    EXPECT_TRUE(bad.body["error"]["fields"].contains(f)) << f << " " << bad.text;
  const auto id = createChallenge();
  auto got = admin().get("/api/v1/challenges/" + std::to_string(id));
  EXPECT_EQ(got.body["team_level"], "grassroots");
  EXPECT_EQ(got.body["start_date"], formatDay(today_ - 10));
  auto patched = admin().patch("/api/v1/challenges/" + std::to_string(id), {{"daily_cap", 20000}});
  EXPECT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.body["daily_cap"], 20000);
  // An editor of city B cannot see city A's challenge.
  hub().createUser("edb", "password-1", {{auth::Role::Editor, 4}}, 4);
  auto edb = hub().login("edb", "password-1");
  EXPECT_EQ(edb.get("/api/v1/challenges/" + std::to_string(id)).status, 404);
  EXPECT_EQ(edb.post("/api/v1/challenges", {{"name", "x"},
                                            {"org_id", 2},
                                            {"start_date", formatDay(today_)},
                                            {"end_date", formatDay(today_)}})
                .status,
            403);
  auto audit = admin().get("/api/v1/audit?object_type=challenge");
  ASSERT_EQ(audit.body["items"].size(), 2u) << audit.text;
  EXPECT_EQ(audit.body["items"][0]["action"], "challenge.update");
  EXPECT_EQ(audit.body["items"][0]["before"]["daily_cap"], 30000);
}

void ChallengeApi::StepsAreIdempotentBestOfDayCappedAndAudited() {
  const auto cid = createChallenge();
  const auto app = createApp();
  auto first = steps(app, cid, "k1", "m1", today_, 5000);
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body["total"], 5000);
  EXPECT_EQ(first.body["joined"], true);
  auto again = steps(app, cid, "k1", "m1", today_, 5000);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.text, first.text);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  auto conflict = steps(app, cid, "k1", "m1", today_, 7000);
  EXPECT_EQ(conflict.status, 422);
  EXPECT_EQ(conflict.errorCode(), "idempotency.conflict");
  // The body is compared as sent, byte for byte: the same report spelt differently is another body.
  Json sameFields = {{"member_no", "m1"}, {"date", formatDay(today_)}, {"steps", 5000}};
  auto respelt = submitText(app.bearer, cid, "k1", sameFields.dump(2));
  EXPECT_EQ(respelt.status, 422) << respelt.text;
  auto lower = steps(app, cid, "k2", "m1", today_, 3000);  // phone counters only grow: best of day stays
  EXPECT_EQ(lower.body["total"], 5000) << lower.text;
  EXPECT_EQ(lower.body["changed"], false);
  auto capped = steps(app, cid, "k3", "m1", today_, 45000);
  EXPECT_EQ(capped.body["total"], 30000) << capped.text;
  EXPECT_EQ(capped.body["day_steps"], 45000);
  EXPECT_EQ(capped.body["milestones_reached"], Json({10000}));
  auto yesterday = steps(app, cid, "k4", "m1", today_ - 1, 8000);
  EXPECT_EQ(yesterday.body["total"], 38000);
  EXPECT_EQ(yesterday.body["qualified_days"], 2);
  // Replaying a refusal gives the same refusal.
  auto refused = steps(app, cid, "k5", "m1", today_ + 1, 10);
  EXPECT_EQ(steps(app, cid, "k5", "m1", today_ + 1, 10).text, refused.text);
  // Every change of the total is audited, old -> new, with its cause; unchanged ones are not.
  // (In the challenge's own audit table: total_audit.h.)
  auto audit = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/audit?member_no=m1");
  ASSERT_EQ(audit.body["items"].size(), 3u) << audit.text;
  EXPECT_EQ(audit.body["items"][0]["before"]["total"], 30000);
  EXPECT_EQ(audit.body["items"][0]["after"]["total"], 38000);
  EXPECT_EQ(audit.body["items"][0]["actor"]["username"], "app:" + std::to_string(app.id));
  EXPECT_EQ(audit.body["items"][0]["member_no"], "m1");
  EXPECT_EQ(audit.body["items"][0]["date"], formatDay(today_ - 1));
  EXPECT_EQ(audit.body["items"][0]["day_best"], 8000);
  EXPECT_EQ(audit.body["items"][0]["cause"], "app " + std::to_string(app.id) + " report");
  EXPECT_EQ(audit.body["items"][2]["before"]["total"], 0);
  // Paging by id, and another member's history is empty.
  auto older = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/audit?member_no=m1&before=" +
                           std::to_string(audit.body["items"][0]["id"].get<std::int64_t>()) + "&limit=1");
  ASSERT_EQ(older.body["items"].size(), 1u) << older.text;
  EXPECT_EQ(older.body["items"][0]["after"]["total"], 30000);
  EXPECT_EQ(
      admin().get("/api/v1/challenges/" + std::to_string(cid) + "/audit?member_no=m2").body["items"].size(),
      0u);
  // Nothing of it in the CMS audit log any more.
  EXPECT_EQ(admin().get("/api/v1/audit?action=challenge.total").body["items"].size(), 0u);
}

void ChallengeApi::BadInputGetsItsCode() {
  const auto cid = createChallenge();
  const auto ended =
      createChallenge({{"start_date", formatDay(today_ - 9)}, {"end_date", formatDay(today_ - 2)}});
  const auto app = createApp();
  int k = 0;
  auto code = [&](std::int64_t c, const Json& body) {
    auto r = submit(app.bearer, c, "bad-" + std::to_string(++k), body);
    return std::to_string(r.status) + " " + r.errorCode();
  };
  const std::string d = formatDay(today_);
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", d}, {"steps", "many"}}), "422 steps.not_a_number");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", d}, {"steps", 12.5}}), "422 steps.not_a_number");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", d}, {"steps", -1}}), "422 steps.negative");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", d}, {"steps", 5000000}}), "422 steps.absurd");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", d}, {"steps", 18446744073709551615ULL}}),
            "422 steps.absurd");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", formatDay(today_ + 1)}, {"steps", 1}}),
            "422 date.future");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", formatDay(today_ - 11)}, {"steps", 1}}),
            "422 date.before_challenge");
  EXPECT_EQ(code(ended, {{"member_no", "m1"}, {"date", formatDay(today_ - 1)}, {"steps", 1}}),
            "422 date.after_challenge");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", formatDay(today_ - 4)}, {"steps", 1}}),
            "422 date.too_old");
  EXPECT_EQ(code(cid, {{"member_no", "m1"}, {"date", "2026-13-01"}, {"steps", 1}}), "422 date.invalid");
  EXPECT_EQ(code(cid, {{"member_no", "m 1"}, {"date", d}, {"steps", 1}}), "422 member.bad_number");
  EXPECT_EQ(code(cid, {{"member_no", "nobody"}, {"date", d}, {"steps", 1}}), "422 member.unknown");
  EXPECT_EQ(code(cid, {{"member_no", "b1"}, {"date", d}, {"steps", 1}}), "403 member.outside_scope");
  EXPECT_EQ(code(cid + 100, {{"member_no", "m1"}, {"date", d}, {"steps", 1}}), "404 challenge.not_found");
  auto noKey = submit(app.bearer, cid, "", {{"member_no", "m1"}, {"date", d}, {"steps", 1}});
  EXPECT_EQ(noKey.status, 400);
  EXPECT_EQ(noKey.errorCode(), "idempotency.key_required");
  auto wrong = submit(std::to_string(app.id) + "." + std::string(64, '0'), cid, "x", {{"steps", 1}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.errorCode(), "challenge.bad_credential");
  // An app of city B does not see city A's challenge; a revoked credential is refused.
  const auto appB = createApp(4);
  auto other = steps(appB, cid, "o1", "m1", today_, 10);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(admin().del("/api/v1/challenge-apps/" + std::to_string(app.id)).status, 204);
  EXPECT_EQ(steps(app, cid, "r1", "m1", today_, 10).status, 401);
  // Nothing was counted.
  EXPECT_EQ(totalsFromSql(cid, 30000).size(), 0u);
}

void ChallengeApi::RevocationElsewhereDropsTheCachedCredential() {
  const auto cid = createChallenge();
  const auto app = createApp();
  ASSERT_EQ(steps(app, cid, "n1", "m4", today_, 100).status, 200);  // checked, so now cached
  // Another node revokes it: the row and the change topic move in SQL, not through this process.
  auto seen = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto fired = seen->get_future();
  hub().ctx().base.changes.onChange(AppCredentials::kTopic, [seen, once](std::string_view, std::int64_t) {
    if (!once->exchange(true)) seen->set_value();
  });
  auto st = hub().db().transaction([&](sql::Transaction& tx) -> Status {
    if (auto r = tx.exec("UPDATE cms_challenge_apps SET revoked_at = 1 WHERE id = ?", {app.id}); !r)
      return r.error();
    return sql::bumpChange(tx, AppCredentials::kTopic);
  });
  ASSERT_TRUE(st) << st.error().message;
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto refused = steps(app, cid, "n2", "m4", today_, 200);  // well within the cache's 10 s
  EXPECT_EQ(refused.status, 401) << refused.text;
  EXPECT_EQ(refused.errorCode(), "challenge.bad_credential");
}

void ChallengeApi::ReimportElsewhereDropsTheCachedMember() {
  const auto cid = createChallenge();  // over city A
  const auto app = createApp();
  auto in = [](int org) { return "member_no,name,org_id\nc1,成员c1," + std::to_string(org) + "\n"; };
  ASSERT_TRUE(importMembers(hub().db(), hub().ctx().orgs, in(7), hub().clock()));
  ASSERT_EQ(steps(app, cid, "c1", "c1", today_, 100).status, 200);  // read, so now cached
  // Another process (the CLI) re-imports the member into city B: the import bumps the topic.
  auto seen = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto fired = seen->get_future();
  hub().ctx().base.changes.onChange(MemberCache::kTopic, [seen, once](std::string_view, std::int64_t) {
    if (!once->exchange(true)) seen->set_value();
  });
  ASSERT_TRUE(importMembers(hub().db(), hub().ctx().orgs, in(8), hub().clock()));
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto moved = steps(app, cid, "c2", "c1", today_, 200);
  EXPECT_EQ(moved.status, 403) << moved.text;
  EXPECT_EQ(moved.errorCode(), "member.outside_scope");
}

void ChallengeApi::EditsReachTheCachedChallenge() {
  const auto cid = createChallenge();  // cap 30000, plausible up to 80000
  const auto app = createApp();
  ASSERT_EQ(steps(app, cid, "e1", "m1", today_, 20000).body["total"], 20000);  // read, so now cached
  // An edit on this node counts for the next report at once.
  auto patched = admin().patch("/api/v1/challenges/" + std::to_string(cid), {{"daily_cap", 10000}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  auto capped = steps(app, cid, "e2", "m1", today_ - 1, 15000);
  EXPECT_EQ(capped.body["day_counted"], 10000) << capped.text;
  EXPECT_EQ(capped.body["total"], 30000);
  // Another node lowers the plausible maximum: the row and the change topic move in SQL.
  auto seen = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto fired = seen->get_future();
  hub().ctx().base.changes.onChange(ChallengeCache::kTopic, [seen, once](std::string_view, std::int64_t) {
    if (!once->exchange(true)) seen->set_value();
  });
  auto st = hub().db().transaction([&](sql::Transaction& tx) -> Status {
    if (auto r = tx.exec("UPDATE cms_challenges SET plausible_max = 5000 WHERE id = ?", {cid}); !r)
      return r.error();
    return sql::bumpChange(tx, ChallengeCache::kTopic);
  });
  ASSERT_TRUE(st) << st.error().message;
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto held = steps(app, cid, "e3", "m2", today_, 6000);
  EXPECT_EQ(held.status, 202) << held.text;
  EXPECT_EQ(totalsFromSql(cid, 10000).count("m2"), 0u);  // held: not counted
}

void ChallengeApi::ImplausibleReportsAreHeldUntilApproved() {
  const auto cid = createChallenge();
  const auto app = createApp();
  auto held = steps(app, cid, "h1", "m2", today_, 90000);
  ASSERT_EQ(held.status, 202) << held.text;
  EXPECT_EQ(held.body["status"], "held");
  EXPECT_EQ(totalsFromSql(cid, 30000).count("m2"), 0u);
  auto list = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/held");
  ASSERT_EQ(list.body["held"].size(), 1u) << list.text;
  EXPECT_EQ(list.body["held"][0]["member_no"], "m2");
  const std::string hid = std::to_string(list.body["held"][0]["id"].get<std::int64_t>());
  auto ok = admin().post("/api/v1/challenges/" + std::to_string(cid) + "/held/" + hid + "/approve");
  ASSERT_EQ(ok.status, 200) << ok.text;
  EXPECT_EQ(ok.body["result"]["total"], 30000);
  EXPECT_EQ(admin().post("/api/v1/challenges/" + std::to_string(cid) + "/held/" + hid + "/approve").status,
            409);
  EXPECT_EQ(totalsFromSql(cid, 30000)["m2"], 30000);
  EXPECT_EQ(board(cid, "board=individuals")["m2"], 30000);
  auto rejected = steps(app, cid, "h2", "m3", today_, 85000);
  auto list2 = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/held");
  const std::string hid2 = std::to_string(list2.body["held"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(admin().post("/api/v1/challenges/" + std::to_string(cid) + "/held/" + hid2 + "/reject").status,
            200);
  EXPECT_EQ(totalsFromSql(cid, 30000).count("m3"), 0u);
}

void ChallengeApi::LeaderboardsMemberPageAndOrganisations() {
  const auto cid = createChallenge();
  const auto app = createApp();
  const std::map<std::string, int> today = {{"m1", 12000}, {"m2", 9000},  {"m3", 15000}, {"m4", 3000},
                                            {"m5", 7000},  {"m7", 20000}, {"m8", 1000}};
  for (const auto& [m, s] : today) ASSERT_EQ(steps(app, cid, "t" + m, m, today_, s).status, 200);
  ASSERT_EQ(steps(app, cid, "y1", "m1", today_ - 1, 6500).status, 200);
  // Individuals by total: m1 18500, m7 20000, m3 15000 ...
  auto top = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/leaderboard?limit=3");
  ASSERT_EQ(top.status, 200) << top.text;
  EXPECT_EQ(top.body["size"], 7);
  ASSERT_EQ(top.body["entries"].size(), 3u);
  EXPECT_EQ(top.body["entries"][0]["member_no"], "m7");
  EXPECT_EQ(top.body["entries"][1]["member_no"], "m1");
  EXPECT_EQ(top.body["entries"][1]["score"], 18500);
  EXPECT_EQ(top.body["entries"][2]["rank"], 3);
  auto page2 = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/leaderboard?offset=3&limit=3");
  EXPECT_EQ(page2.body["entries"][0]["member_no"], "m2");
  EXPECT_EQ(board(cid, "board=individuals&by=day&date=" + formatDay(today_ - 1)),
            (std::map<std::string, std::int64_t>{{"m1", 6500}}));
  // Organisations: union 6 has m1..m5 (5 participants, 52500), union 7 m7, m8 (21000).
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots"),
            (std::map<std::string, std::int64_t>{{"6", 52500}, {"7", 21000}}));
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots&by=average"),
            (std::map<std::string, std::int64_t>{{"6", 10500}, {"7", 10500}}));
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots&by=rate"),
            (std::map<std::string, std::int64_t>{{"6", 833333}, {"7", 1000000}}));
  EXPECT_EQ(board(cid, "board=orgs&level=city"), (std::map<std::string, std::int64_t>{{"2", 73500}}));
  // The member's side, through the signed link.
  const std::string q = link(app, "m1");
  auto me = hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/me?" + q);
  ASSERT_EQ(me.status, 200) << me.text;
  EXPECT_EQ(me.body["today_steps"], 12000);
  EXPECT_EQ(me.body["total"], 18500);
  EXPECT_EQ(me.body["qualified_days"], 2);
  EXPECT_EQ(me.body["current_streak"], 2);
  EXPECT_EQ(me.body["milestones_reached"], Json({10000}));
  EXPECT_EQ(me.body["series"].size(), 2u);
  EXPECT_EQ(me.body["rank"], 2);
  auto mine = hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/leaderboard/me?" + q);
  ASSERT_EQ(mine.status, 200) << mine.text;
  EXPECT_EQ(mine.body["me"]["rank"], 2);
  EXPECT_EQ(mine.body["entries"].size(), 5u);  // 1 above, 3 below
  auto myOrg =
      hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/my-org?level=grassroots&" + q);
  ASSERT_EQ(myOrg.status, 200) << myOrg.text;
  EXPECT_EQ(myOrg.body["org_id"], 6);
  EXPECT_EQ(myOrg.body["rank"], 1);
  EXPECT_EQ(myOrg.body["of"], 2);
  EXPECT_EQ(myOrg.body["parent_id"], 3);
  auto cert = hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/me/certificate.png?" + q);
  ASSERT_EQ(cert.status, 200) << cert.text;
  EXPECT_EQ(cert.header("content-type"), "image/png");
  EXPECT_EQ(cert.text.substr(1, 3), "PNG");
  // Links: a forged signature is 401; a member outside the scope 403; nobody without any credential.
  // The signature's last hex digit changed to another one (a fixed replacement such as "00"
  // would equal the real digits once in 256 runs, and that link is genuine).
  std::string forgedQuery = q;
  forgedQuery.back() = forgedQuery.back() == '0' ? '1' : '0';
  ASSERT_NE(forgedQuery, q);
  auto forged = hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/me?" + forgedQuery);
  EXPECT_EQ(forged.status, 401) << forgedQuery;
  EXPECT_EQ(forged.errorCode(), "link.bad_signature");
  EXPECT_EQ(hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/me?" + link(app, "b1")).status,
            403);
  EXPECT_EQ(hub().client().get("/api/v1/challenges/" + std::to_string(cid) + "/leaderboard").status, 401);
  // Join through the link, then the participant counts.
  auto join = hub().client().post("/api/v1/challenges/" + std::to_string(cid) + "/join?" + link(app, "m6"));
  EXPECT_EQ(join.body["joined"], true) << join.text;
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots&by=participants")["6"], 6);
  // Admin API: results CSV and statistics per day.
  auto csv = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/results.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.text.substr(0, 4), "rank");
  EXPECT_NE(csv.text.find("\r\n1,m7,成员7,7,union A1b,20000,1,1,"), std::string::npos) << csv.text;
  auto stats = admin().get("/api/v1/challenges/" + std::to_string(cid) + "/stats");
  ASSERT_EQ(stats.status, 200) << stats.text;
  EXPECT_EQ(stats.body["participants"], 8);
  ASSERT_EQ(stats.body["days"].size(), 2u);
  EXPECT_EQ(stats.body["days"][1]["date"], formatDay(today_));
  EXPECT_EQ(stats.body["days"][1]["participants"], 7);
  EXPECT_EQ(stats.body["days"][1]["qualified"], 5);
  EXPECT_EQ(stats.body["days"][1]["submissions"], 7);
}

void ChallengeApi::ConcurrentRepeatedSubmissionsMatchSqlAndRebuild() {
  const auto cid = createChallenge();
  const auto app = createApp();
  const std::vector<std::string> members = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::map<int, std::string> answers;  // key n -> the first answer's bytes
  std::atomic<int> differing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 25; ++i) {
        // Keys repeat across threads (same body each time), members and days collide on purpose.
        const int n = static_cast<int>(rng() % 40);
        const std::string& m = members[n % members.size()];
        const Day day = today_ - static_cast<Day>(n % 3);
        auto r = steps(app, cid, "burst-" + std::to_string(n), m, day, 4000 + 900 * n);
        if (r.status != 200) ++failures;
        std::lock_guard lock(mu);
        if (auto [it, first] = answers.emplace(n, r.text); !first && it->second != r.text) ++differing;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(differing.load(), 0) << "a repeated key gets the first answer's bytes";
  // Each key counted once: the best of each member's day over the keys sent, capped at 30,000.
  std::map<std::pair<std::string, Day>, std::int64_t> best;
  for (const auto& [n, text] : answers) {
    auto& b = best[{members[n % members.size()], today_ - static_cast<Day>(n % 3)}];
    b = std::max<std::int64_t>(b, 4000 + 900 * n);
  }
  std::map<std::string, std::int64_t> expected;
  for (const auto& [md, v] : best) expected[md.first] += std::min<std::int64_t>(v, 30000);
  const auto sql = totalsFromSql(cid, 30000);
  EXPECT_EQ(sql, expected);
  auto counted = hub().db().query(
      "SELECT m.member_no, p.total FROM cms_challenge_participants p JOIN cms_members m ON m.id = "
      "p.member_id "
      "WHERE p.challenge_id = ?",
      {cid});
  ASSERT_TRUE(counted);
  std::map<std::string, std::int64_t> totals;
  for (const auto& r : *counted) totals[r.getString("member_no")] = r.getInt("total");
  EXPECT_EQ(totals, expected) << "the participants' totals";
  EXPECT_EQ(sql.size(), members.size());
  EXPECT_EQ(board(cid, "board=individuals"), sql);
  auto orgTotals = [&] {
    std::map<std::string, std::int64_t> out;
    for (const auto& [m, v] : sql) out[m == "m7" || m == "m8" ? "7" : "6"] += v;
    return out;
  };
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots"), orgTotals());
  // Clear the boards behind the hub's back, then rebuild from SQL.
  if (GetParam() == "mysql") {
    auto endpoint = bus::RedisEndpoint::parse(test::redisUrl());
    ASSERT_TRUE(endpoint);
    RedisRanking redis(*endpoint, prefix_);
    ASSERT_TRUE(redis.clear("c" + std::to_string(cid) + ":i:t"));
    ASSERT_TRUE(redis.clear("c" + std::to_string(cid) + ":o3:t"));
    EXPECT_TRUE(board(cid, "board=individuals").empty());
  }
  auto noToken = hub().client().post("/api/v1/admin/challenges/" + std::to_string(cid) + "/rebuild");
  EXPECT_EQ(noToken.status, 401);
  CmsClient ops = hub().client();
  ops.setBearer(kAdminToken);
  auto rebuilt = ops.post("/api/v1/admin/challenges/" + std::to_string(cid) + "/rebuild");
  ASSERT_EQ(rebuilt.status, 200) << rebuilt.text;
  EXPECT_EQ(rebuilt.body["participants"], 8);
  EXPECT_EQ(board(cid, "board=individuals"), sql);
  EXPECT_EQ(board(cid, "board=orgs&level=grassroots"), orgTotals());
}

TEST_P(ChallengeApi, ChallengesStepsIdempotencyAuditAndHeldReports) {
  ChallengesAreValidatedScopedAndAudited();
  StepsAreIdempotentBestOfDayCappedAndAudited();
  ImplausibleReportsAreHeldUntilApproved();
}

TEST_P(ChallengeApi, BadInputCodesThenLeaderboardsAndTheMemberPage) {
  BadInputGetsItsCode();
  RevocationElsewhereDropsTheCachedCredential();
  LeaderboardsMemberPageAndOrganisations();
}

TEST_P(ChallengeApi, ConcurrentRepeatedSubmissionsMatchSqlThenRebuild) {
  ConcurrentRepeatedSubmissionsMatchSqlAndRebuild();
  ReimportElsewhereDropsTheCachedMember();
  EditsReachTheCachedChallenge();
}

HUB_CMS_BACKENDS(ChallengeApi);

class ChallengeRateLimit : public ChallengeApi {
 protected:
  void configure(config::Config& c) override {
    perMinute_ = 3;
    ChallengeApi::configure(c);
  }
};

TEST_P(ChallengeRateLimit, FloodsFromOneCredentialGet429) {
  const auto cid = createChallenge();
  const auto app = createApp();
  const auto other = createApp();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(steps(app, cid, "f" + std::to_string(i), "m1", today_, 100 + i).status, 200);
  auto flood = steps(app, cid, "f9", "m1", today_, 999);
  EXPECT_EQ(flood.status, 429);
  EXPECT_EQ(flood.errorCode(), "challenge.rate_limited");
  EXPECT_FALSE(flood.header("retry-after").empty());
  EXPECT_EQ(steps(other, cid, "g1", "m1", today_, 200).status, 200);  // another credential is not limited
  hub().clock().advance(std::chrono::seconds(60));
  EXPECT_EQ(steps(app, cid, "f9", "m1", today_, 999).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChallengeRateLimit, ::testing::Values(std::string("sqlite")),
                         ::hub::cms::testing::cmsBackendName);

}  // namespace
}  // namespace hub::cms::challenge
