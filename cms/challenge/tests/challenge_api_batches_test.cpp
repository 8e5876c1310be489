// cms/challenge/tests/challenge_api_batches_test.cpp
//
// The group commit under load: many clients at once, so batches follow each other (one written
// while the one before is fed and answered), with keys repeated across clients (same body: the
// first answer's bytes; another body: 422), and keys stored before the burst, whose repeats make
// a batch fail at its insert, roll back and be applied again with its keys read. Afterwards SQL,
// the participants' totals, the audit chain of every member and the boards agree. Then keys
// each sent for two members by many clients at once, between new keys: the two bodies of a key
// meet in one batch or in batches one after the other; one body wins everywhere.
#include <random>
#include <set>
#include <thread>

#include "cms/challenge/tests/challenge_api_fixture.h"
#include "core/metrics/registry.h"

namespace hub::cms::challenge {

void ChallengeApi::BatchesInFlightRepeatedKeysAndConflicts() {
  const auto cid = createChallenge();
  const auto app = createApp();
  const std::vector<std::string> members = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
  // Key n always carries the same body: member n % 8, day n % 3 back, 1,000 + 700 n steps.
  auto bodyOf = [&](int n) {
    return std::make_pair(members[n % members.size()], today_ - static_cast<Day>(n % 3));
  };
  auto stepsOf = [](int n) { return 1000 + 700 * n; };
  std::map<int, std::string> first;  // key n -> the first answer's bytes
  for (int n = 0; n < 4; ++n) {      // stored before the burst
    const auto [m, day] = bodyOf(n);
    auto r = steps(app, cid, "k" + std::to_string(n), m, day, stepsOf(n));
    ASSERT_EQ(r.status, 200) << r.text;
    first[n] = r.text;
  }
  auto& metrics = hub().ctx().base.metrics;
  auto& conflicts = metrics.counter("hub_challenge_step_batch_key_conflicts_total", "");
  auto& batches = metrics.counter("hub_challenge_step_batches_total", "");
  const double conflicts0 = conflicts.value(), batches0 = batches.value();

  constexpr int kThreads = 16, kEach = 30, kKeys = 60;
  std::atomic<int> wrong{0}, refused{0}, differing{0};
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int i = 0; i < kEach; ++i) {
        const int n = static_cast<int>(rng() % kKeys);
        const auto [m, day] = bodyOf(n);
        if (n < 4 && rng() % 2 == 0) {  // a key stored before, with another body: refused
          auto r = steps(app, cid, "k" + std::to_string(n), m, day, stepsOf(n) + 1);
          if (r.status != 422 || r.errorCode() != "idempotency.conflict") ++wrong;
          ++refused;
          continue;
        }
        auto r = steps(app, cid, "k" + std::to_string(n), m, day, stepsOf(n));
        if (r.status != 200) ++wrong;
        std::lock_guard lock(mu);
        if (auto [it, isFirst] = first.emplace(n, r.text); !isFirst && it->second != r.text) ++differing;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(differing.load(), 0) << "a repeated key gets the first answer's bytes";
  EXPECT_GE(conflicts.value() - conflicts0, 1) << "a batch met a key stored before the burst";
  EXPECT_GT(batches.value() - batches0, 1);

  // Counted once per key: the best of each member's day over the keys answered, capped.
  std::map<std::pair<std::string, Day>, std::int64_t> best;
  for (const auto& [n, text] : first) {
    auto& b = best[bodyOf(n)];
    b = std::max<std::int64_t>(b, stepsOf(n));
  }
  expectAgreed(cid, cappedTotals(best, 30000));
}

void ChallengeApi::expectAgreed(std::int64_t cid, const std::map<std::string, std::int64_t>& expected) {
  EXPECT_EQ(totalsFromSql(cid, 30000), expected);
  // Every change of a total audited, in order: each row starts where the member's last ended,
  // the last ends at the participant's total.
  auto audit = hub().db().query(
      "SELECT m.member_no, a.total_before, a.total_after FROM cms_challenge_requests a JOIN cms_members m "
      "ON m.id = a.member_id WHERE a.challenge_id = ? AND a.cause IS NOT NULL ORDER BY a.id",
      {cid});
  ASSERT_TRUE(audit);
  std::map<std::string, std::int64_t> chained;
  int breaks = 0;
  for (const auto& r : *audit) {
    auto& at = chained[r.getString("member_no")];
    if (r.getInt("total_before") != at) ++breaks;
    at = r.getInt("total_after");
  }
  EXPECT_EQ(breaks, 0);
  EXPECT_EQ(chained, expected) << "the audit's last totals";
  EXPECT_EQ(participantTotals(cid), expected) << "the participants' totals";
  // The boards were fed before each answer went out.
  EXPECT_EQ(board(cid, "board=individuals"), expected);
}

void ChallengeApi::RepeatedKeysAcrossMembers() {
  const auto cid = createChallenge();
  const auto app = createApp();
  const std::vector<std::string> members = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
  // Key "x<n>" is sent with two bodies: member n % 8 and member (n + 3) % 8, each its own steps.
  struct Body {
    std::string member;
    Day day = 0;
    int steps = 0;
  };
  auto bodyOf = [&](int n, int variant) {
    return Body{members[(n + 3 * variant) % members.size()], today_ - static_cast<Day>(n % 3),
                2000 + 500 * n + 100 * variant};
  };
  constexpr int kThreads = 16, kKeys = 24;
  std::mutex mu;
  // (key, variant) -> the answers' bytes (200) or the 422 count; per thread's own keys, the 200s.
  std::map<std::pair<int, int>, std::set<std::string>> ok;
  std::map<std::pair<int, int>, int> conflicts;
  std::vector<Body> counted;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(300 + t);
      for (int i = 0; i < kKeys; ++i) {
        // Every key from both sides at about the same time, with the thread's own new keys between.
        const int n = (i + t) % kKeys, variant = t % 2;
        const Body b = bodyOf(n, variant);
        auto r = steps(app, cid, "x" + std::to_string(n), b.member, b.day, b.steps);
        const Body own{members[rng() % members.size()], today_ - static_cast<Day>(rng() % 3),
                       static_cast<int>(rng() % 20000)};
        auto o = steps(app, cid, "own" + std::to_string(t) + "-" + std::to_string(i), own.member, own.day,
                       own.steps);
        std::lock_guard lock(mu);
        if (r.status == 200)
          ok[{n, variant}].insert(r.text);
        else if (r.status == 422 && r.errorCode() == "idempotency.conflict")
          ++conflicts[{n, variant}];
        else
          ++wrong;
        if (o.status == 200)
          counted.push_back(own);
        else
          ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  // Each key: one body won everywhere (one answer, the same bytes every time), the other was 422.
  for (int n = 0; n < kKeys; ++n) {
    const bool first = ok.count({n, 0}) > 0, second = ok.count({n, 1}) > 0;
    EXPECT_NE(first, second) << "key x" << n << ": exactly one body is accepted";
    const int won = first ? 0 : 1;
    const auto winner = std::make_pair(n, won), loser = std::make_pair(n, 1 - won);
    EXPECT_EQ(ok[winner].size(), 1u) << "key x" << n << ": a repeat gets the first answer's bytes";
    EXPECT_EQ(conflicts[winner], 0) << "key x" << n;
    EXPECT_EQ(conflicts[loser], kThreads / 2) << "key x" << n << ": the other body is refused";
    counted.push_back(bodyOf(n, won));
  }
  std::map<std::pair<std::string, Day>, std::int64_t> best;
  for (const auto& b : counted) {
    auto& v = best[{b.member, b.day}];
    v = std::max<std::int64_t>(v, b.steps);
  }
  expectAgreed(cid, cappedTotals(best, 30000));
}

}  // namespace hub::cms::challenge
