// cms/challenge/tests/challenge_api_boards_test.cpp
//
// The leaderboards and the member page through the HTTP API, and after a burst of concurrent
// and repeated submissions boards equal to a ranking recomputed from SQL, also after clearing
// and a rebuild.
#include "cms/challenge/tests/challenge_api_fixture.h"

#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "cms/challenge/redis_ranking.h"
#include "core/bus/redis_connection.h"

namespace hub::cms::challenge {

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
  const auto expected = cappedTotals(best, 30000);
  const auto sql = totalsFromSql(cid, 30000);
  EXPECT_EQ(sql, expected);
  EXPECT_EQ(participantTotals(cid), expected) << "the participants' totals";
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

}  // namespace hub::cms::challenge
