// cms/challenge/tests/challenge_api_batches_test.cpp
//
// The group commit under load: many clients at once, so batches follow each other (one written
// while the one before is fed and answered), with keys repeated across clients (same body: the
// first answer's bytes; another body: 422), and keys stored before the burst, whose repeats make
// a batch fail at its insert, roll back and be applied again with its keys read. Afterwards SQL,
// the participants' totals, the audit chain of every member and the boards agree.
#include <random>
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
  const auto expected = cappedTotals(best, 30000);
  const auto sql = totalsFromSql(cid, 30000);
  EXPECT_EQ(sql, expected);
  // Every change of a total audited, in order: each row starts where the member's last ended,
  // the last ends at the participant's total.
  auto audit = hub().db().query(
      "SELECT m.member_no, a.total_before, a.total_after FROM cms_challenge_total_audit a JOIN cms_members m "
      "ON m.id = a.member_id WHERE a.challenge_id = ? ORDER BY a.id",
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

}  // namespace hub::cms::challenge
