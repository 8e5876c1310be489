// cms/schedule/tests/scheduler_settle_test.cpp: the outcomes of a pass stored together (set-based
// statements in one transaction) and what happens when that transaction fails; the fixture is
// scheduler_fixture.h's, instantiated in scheduler_test.cpp.
#include <gtest/gtest.h>

#include "cms/schedule/tests/scheduler_fixture.h"

namespace hub::cms::schedule::test {
namespace {

// Settlements of every kind for the rows of `leased`, in order: posted, retried, failed,
// unconfirmed (a lookup counted), then again.
std::vector<Settlement> mixedOutcomes(const std::vector<OutboxRow>& leased, std::int64_t ms) {
  std::vector<Settlement> out;
  for (std::size_t i = 0; i < leased.size(); ++i) {
    Settlement s;
    s.row = leased[i];
    s.atMs = ms;
    switch (i % 4) {
      case 0:
        s.outboxState = "done";
        s.scheduleState = "published";
        s.remoteId = "r" + std::to_string(i);
        s.nextAtMs = ms;
        s.releasePair = true;
        break;
      case 1:
        s.outboxState = "pending";
        s.scheduleState = "publishing";
        s.error = "503: busy";
        s.nextAtMs = ms + 1000;
        break;
      case 2:
        s.outboxState = "failed";
        s.scheduleState = "failed";
        s.error = "400: refused";
        s.nextAtMs = ms;
        s.releasePair = true;
        break;
      default:
        s.outboxState = "unconfirmed";
        s.scheduleState = "unconfirmed";
        s.error = "timeout";
        s.nextAtMs = ms + 5000;
        s.countLookup = true;
        break;
    }
    s.progress = {{"step", static_cast<int>(i)}};
    out.push_back(std::move(s));
  }
  return out;
}

TEST_P(SchedulerTest, OutcomesOfEveryKindAreStoredTogetherAsOneByOneWould) {
  // 150 rows: two chunks of set-based statements in one transaction.
  for (std::int64_t item = 10; item < 60; ++item)
    sources_.addItem({.id = item, .orgId = 1, .title = "item " + std::to_string(item), .state = "approved"});
  std::vector<std::int64_t> ids;
  for (std::int64_t item = 10; item < 60; ++item)
    for (std::int64_t account = 1; account <= 3; ++account)
      ids.push_back(scheduleAt(item, account, now() + 1));
  clock_.advance(2s);
  RecordingContent content(sources_);
  Outbox outbox(*db_, content, "node-a");
  const std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
  auto leased = claimAndLease(outbox, 150);
  ASSERT_EQ(leased.size(), 150u);
  auto outcomes = mixedOutcomes(leased, ms);
  // Another node recovered one row meanwhile (its lease had expired), and one outcome is listed
  // twice, the second time in the next chunk.
  const std::int64_t lost = leased[5].id;
  ASSERT_TRUE(db_->exec(
      "UPDATE cms_outbox SET state = 'unconfirmed', lease_owner = NULL, lease_until_ms = NULL WHERE id = ?",
      {lost}));
  Settlement twice = outcomes[0];
  twice.outboxState = "failed";
  twice.scheduleState = "failed";
  twice.error = "listed twice";
  outcomes.push_back(twice);
  content.calls.clear();

  auto held = outbox.settle(outcomes);
  ASSERT_TRUE(held) << held.error().message;
  ASSERT_EQ(held->size(), 151u);
  for (std::size_t i = 0; i < 150; ++i) EXPECT_EQ((*held)[i], i != 5) << "outcome " << i;
  EXPECT_FALSE(held->back()) << "a row listed twice is stored once";
  ASSERT_EQ(content.calls.size(), 1u) << "the items followed once, together";
  EXPECT_EQ(content.calls[0].size(), 50u);

  auto rows = db_->query(
      "SELECT o.id, o.state, o.remote_id, o.last_error, o.lookups, o.next_at_ms, o.progress, o.lease_owner, "
      "s.state AS s_state, s.remote_id AS s_remote, s.last_error AS s_error, s.attempts, s.posted_at_ms, "
      "(SELECT COUNT(*) FROM cms_inflight f WHERE f.outbox_id = o.id) AS slots FROM cms_outbox o JOIN "
      "cms_schedules s ON s.id = o.schedule_id");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 150u);
  std::map<std::int64_t, const sql::Row*> byId;
  for (const auto& r : *rows) byId[r.getInt("id")] = &r;
  for (std::size_t i = 0; i < 150; ++i) {
    const Settlement& want = outcomes[i];
    const sql::Row& r = *byId.at(want.row.id);
    SCOPED_TRACE("outcome " + std::to_string(i));
    if (i == 5) {  // not ours any more: left as the other node made it
      EXPECT_EQ(r.getString("state"), "unconfirmed");
      EXPECT_EQ(r.getString("s_state"), "publishing");
      EXPECT_EQ(r.getInt("slots"), 1);
      continue;
    }
    EXPECT_EQ(r.getString("state"), want.outboxState);
    EXPECT_EQ(r.getString("s_state"), want.scheduleState);
    EXPECT_EQ(r.getInt("next_at_ms"), want.nextAtMs);
    EXPECT_TRUE(r.isNull("lease_owner"));
    EXPECT_EQ(r.getInt("lookups"), want.countLookup ? 1 : 0);
    EXPECT_EQ(nlohmann::json::parse(r.getString("progress")), want.progress);
    EXPECT_EQ(r.getInt("attempts"), 1);
    EXPECT_EQ(r.getInt("slots"), want.releasePair ? 0 : 1);
    if (want.remoteId.empty()) {
      EXPECT_TRUE(r.isNull("remote_id"));
      EXPECT_TRUE(r.isNull("s_remote"));
    } else {
      EXPECT_EQ(r.getString("remote_id"), want.remoteId);
      EXPECT_EQ(r.getString("s_remote"), want.remoteId);
    }
    if (want.error.empty()) {
      EXPECT_TRUE(r.isNull("last_error"));
      EXPECT_TRUE(r.isNull("s_error"));
    } else {
      EXPECT_EQ(r.getString("last_error"), want.error);
      EXPECT_EQ(r.getString("s_error"), want.error);
    }
    if (want.outboxState == "done")
      EXPECT_EQ(r.getInt("posted_at_ms"), ms);
    else
      EXPECT_TRUE(r.isNull("posted_at_ms"));
  }
}

TEST_P(SchedulerTest, ABatchThatLostADeadlockIsStoredTogetherAgainThenOneByOne) {
  for (std::int64_t item = 1; item <= 2; ++item)
    for (std::int64_t account = 1; account <= 3; ++account) scheduleAt(item, account, now() + 1);
  clock_.advance(2s);
  RecordingContent content(sources_);
  Outbox outbox(*db_, content, "node-a");
  const std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
  auto leased = claimAndLease(outbox, 6);
  ASSERT_EQ(leased.size(), 6u);
  std::vector<Settlement> first(leased.begin(), leased.begin() + 3), second(leased.begin() + 3, leased.end());
  auto posted = [&](std::vector<Settlement> rows) {
    for (auto& s : rows) {
      s.outboxState = "done";
      s.scheduleState = "published";
      s.atMs = ms;
      s.releasePair = true;
    }
    return rows;
  };
  auto published = [&] {
    auto r = db_->query("SELECT COUNT(*) AS n FROM cms_schedules WHERE state = 'published'");
    return r ? (*r)[0].getInt("n") : -1;
  };

  // Two lost deadlocks: the third try together stores the batch.
  content.calls.clear();
  content.failNext = 2;
  auto held = outbox.settleAll(posted(first));
  ASSERT_EQ(held.size(), 3u);
  for (const auto& h : held) EXPECT_TRUE(h && *h);
  EXPECT_EQ(published(), 3);
  ASSERT_EQ(content.calls.size(), 3u);
  for (const auto& c : content.calls) EXPECT_EQ(c, content.calls[0]) << "the same batch each time";

  // Three: then one outcome per transaction, none lost.
  content.calls.clear();
  content.failNext = 3;
  held = outbox.settleAll(posted(second));
  ASSERT_EQ(held.size(), 3u);
  for (const auto& h : held) EXPECT_TRUE(h && *h);
  EXPECT_EQ(published(), 6);
  ASSERT_EQ(content.calls.size(), 6u) << "three together, then three alone";
  for (std::size_t i = 3; i < 6; ++i) EXPECT_EQ(content.calls[i].size(), 1u);
  auto inflight = db_->query("SELECT COUNT(*) AS n FROM cms_inflight");
  ASSERT_TRUE(inflight);
  EXPECT_EQ((*inflight)[0].getInt("n"), 0) << "every pair released";
}

TEST_P(SchedulerTest, ABatchThatFailedOtherwiseIsStoredOneByOneAtOnce) {
  scheduleAt(1, 1, now() + 1);
  scheduleAt(2, 2, now() + 1);
  clock_.advance(2s);
  RecordingContent content(sources_);
  Outbox outbox(*db_, content, "node-a");
  const std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
  auto leased = claimAndLease(outbox, 2);
  ASSERT_EQ(leased.size(), 2u);
  std::vector<Settlement> outcomes;
  for (const auto& row : leased) {
    Settlement f;
    f.row = row;
    f.outboxState = "failed";
    f.scheduleState = "failed";
    f.error = "400";
    f.atMs = ms;
    f.releasePair = true;
    outcomes.push_back(std::move(f));
  }
  content.calls.clear();
  content.failNext = 1;
  content.failCode = "sql.constraint";
  auto held = outbox.settleAll(outcomes);
  ASSERT_EQ(held.size(), 2u);
  for (const auto& h : held) EXPECT_TRUE(h && *h);
  ASSERT_EQ(content.calls.size(), 3u) << "not tried together again: one by one";
  EXPECT_EQ(content.calls[0], (std::set<std::int64_t>{1, 2}));
  auto rows = db_->query("SELECT COUNT(*) AS n FROM cms_schedules WHERE state = 'failed'");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].getInt("n"), 2);
}

}  // namespace
}  // namespace hub::cms::schedule::test
