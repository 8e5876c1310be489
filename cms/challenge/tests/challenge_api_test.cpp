// cms/challenge/tests/challenge_api_test.cpp
//
// The challenges' HTTP API on SQLite (boards in memory) and MariaDB (boards on this run's
// Redis): challenges and app credentials, step submissions with idempotency, every refusal
// code, held reports and their approval, the rate limit, audit rows; the tests that run the
// phases of every topic (the caches: challenge_api_caches_test.cpp; the boards and the member
// page: challenge_api_boards_test.cpp; batches under load: challenge_api_batches_test.cpp) in one
// hub each.
#include "cms/challenge/tests/challenge_api_fixture.h"

namespace hub::cms::challenge {

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

namespace {

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

TEST_P(ChallengeApi, BatchesInFlightRepeatedKeysAndConflicts) { BatchesInFlightRepeatedKeysAndConflicts(); }

TEST_P(ChallengeApi, RepeatedKeysAcrossMembers) { RepeatedKeysAcrossMembers(); }

TEST_P(ChallengeApi, ManyReportsInOneRequest) { ManyReportsInOneRequest(); }

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
  // A batch takes one per report, as a whole or not at all; more reports than a minute allows
  // can never pass.
  auto batchOf = [&](int n, const std::string& prefix) {
    Json reports = Json::array();
    for (int i = 0; i < n; ++i) reports.push_back(report(prefix + std::to_string(i), "m2", today_, 300 + i));
    return submitBatchText(app.bearer, cid, Json{{"submissions", reports}}.dump());
  };
  auto tooLarge = batchOf(4, "big");
  EXPECT_EQ(tooLarge.status, 400);
  EXPECT_EQ(tooLarge.errorCode(), "batch.too_large");
  EXPECT_EQ(batchOf(2, "b").status, 200);
  auto over = batchOf(2, "c");  // the bucket is empty
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.errorCode(), "challenge.rate_limited");
  hub().clock().advance(std::chrono::seconds(60));
  auto later = batchOf(2, "c");
  ASSERT_EQ(later.status, 200) << later.text;
  for (const auto& r : later.body["results"]) EXPECT_EQ(r["status"], 200) << r;
}

INSTANTIATE_TEST_SUITE_P(Backends, ChallengeRateLimit, ::testing::Values(std::string("sqlite")),
                         ::hub::cms::testing::cmsBackendName);

}  // namespace
}  // namespace hub::cms::challenge
