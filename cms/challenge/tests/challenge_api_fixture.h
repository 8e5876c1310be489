// cms/challenge/tests/challenge_api_fixture.h
//
// The fixture of the challenges' HTTP API tests on SQLite (boards in memory) and MariaDB (boards
// on this run's Redis): a tree of organisations with ten members, an admin client, helpers to
// create challenges and app credentials and to submit steps, totals recomputed from SQL, boards.
// Its phases are defined by topic in challenge_api_*test.cpp; the tests that run them in one
// hub are in challenge_api_test.cpp (the batch route's: challenge_api_batch_route_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <string>

#include "cms/api/time.h"
#include "cms/challenge/day.h"
#include "cms/challenge/member_import.h"
#include "cms/challenge/member_link.h"
#include "cms/tests/support/cms_harness.h"
#include "core/sql/change_watcher.h"
#include "tests/support/fixtures.h"

namespace hub::cms::challenge {

using testing::CmsClient;
using testing::HttpReply;

inline constexpr const char* kAdminToken = "challenge-admin-token-0123";

inline std::string uniquePrefix() {
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

  // POST .../steps/batch with `text` as the body.
  HttpReply submitBatchText(const std::string& bearer, std::int64_t cid, const std::string& text) {
    return hub().client().request("POST", "/api/v1/challenges/" + std::to_string(cid) + "/steps/batch", text,
                                  "Authorization: Bearer " + bearer + "\r\n");
  }
  // A report of the batch route: {"idempotency_key", "member_no", "date", "steps"}.
  Json report(const std::string& key, const std::string& member, Day day, Json steps) {
    return {{"idempotency_key", key}, {"member_no", member}, {"date", formatDay(day)}, {"steps", steps}};
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

  // member_no -> the sum of its days' best (member, day) -> steps, each capped.
  static std::map<std::string, std::int64_t> cappedTotals(
      const std::map<std::pair<std::string, Day>, std::int64_t>& best, int cap) {
    std::map<std::string, std::int64_t> out;
    for (const auto& [md, v] : best) out[md.first] += std::min<std::int64_t>(v, cap);
    return out;
  }

  // member_no -> the participant's stored total.
  std::map<std::string, std::int64_t> participantTotals(std::int64_t cid) {
    auto rows = hub().db().query(
        "SELECT m.member_no, p.total FROM cms_challenge_participants p JOIN cms_members m ON m.id = "
        "p.member_id WHERE p.challenge_id = ?",
        {cid});
    EXPECT_TRUE(rows);
    std::map<std::string, std::int64_t> out;
    if (rows)
      for (const auto& r : *rows) out[r.getString("member_no")] = r.getInt("total");
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
  // Ready once this process has seen `topic` change (the first time after this call): what a
  // write on another node reaches here through.
  std::future<void> changeSeen(const std::string& topic) {
    auto seen = std::make_shared<std::promise<void>>();
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto fired = seen->get_future();
    hub().ctx().base.changes.onChange(topic, [seen, once](std::string_view, std::int64_t) {
      if (!once->exchange(true)) seen->set_value();
    });
    return fired;
  }

  void ChallengesAreValidatedScopedAndAudited();
  void StepsAreIdempotentBestOfDayCappedAndAudited();
  void BadInputGetsItsCode();
  void ImplausibleReportsAreHeldUntilApproved();
  void RevocationElsewhereDropsTheCachedCredential();
  void ReimportElsewhereDropsTheCachedMember();
  void EditsReachTheCachedChallenge();
  void LeaderboardsMemberPageAndOrganisations();
  void ConcurrentRepeatedSubmissionsMatchSqlAndRebuild();
  void BatchesInFlightRepeatedKeysAndConflicts();
  void RepeatedKeysAcrossMembers();
  void ManyReportsInOneRequest();

  // SQL's totals, every member's audit chain, the participants and the boards all equal
  // `expected` (member_no -> counted total).
  void expectAgreed(std::int64_t cid, const std::map<std::string, std::int64_t>& expected);

  int perMinute_ = 100000;
  std::string prefix_;
  Day today_ = 0;
  std::unique_ptr<CmsClient> admin_;
};

}  // namespace hub::cms::challenge
