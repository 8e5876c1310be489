// cms/schedule/tests/scheduler_test.cpp: the scheduler and its outbox with an injected clock,
// on SQLite and on the run's MariaDB, sending through the real connectors over a scripted
// HTTP client (no sockets, no sleeping).
#include <gtest/gtest.h>

#include "cms/schedule/tests/scheduler_fixture.h"

namespace hub::cms::schedule::test {
namespace {

using connectors::HttpResponse;
using connectors::test::answer;

TEST_P(SchedulerTest, PublishesWhenDueAndNotBefore) {
  ScriptedHttp http;
  http.on("/hook", answer(200, R"({"id":"r1"})"));
  auto s = scheduler(http);
  auto id = scheduleAt(1, 1, now() + 60);
  auto t = s->tick();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->claimed, 0);
  EXPECT_EQ(state(id), "scheduled");
  clock_.advance(61s);
  t = s->tick();
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->claimed, 1);
  EXPECT_EQ(t->posted, 1);
  EXPECT_EQ(state(id), "published");
  EXPECT_EQ(http.count("/hook"), 1);
  auto body = nlohmann::json::parse(http.sent[0].body);
  EXPECT_EQ(body["variant"]["title"], "职工风采");
  EXPECT_EQ(http.sent[0].headers.at("Idempotency-Key").rfind("hub-", 0), 0u);
  clock_.advance(3600s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 1) << "published once, never again";
}

TEST_P(SchedulerTest, InTheBackgroundEveryDuePostIsSentOnceAndItsOutcomeStored) {
  // start(): claimer, dispatcher, senders and the batch writer on threads of their own.
  ScriptedHttp http;
  http.on("/bad", answer(400, R"({"error":"refused"})"));
  http.on("/hook", answer(200, R"({"id":"r"})"));
  sources_.addAccount({.id = 4,
                       .orgId = 1,
                       .name = "refusing site",
                       .platform = "website",
                       .kind = "",
                       .active = true,
                       .settings = {{"url", "http://fake/bad"}, {"secret", "s"}}});
  std::vector<std::int64_t> ok, refused;
  for (std::int64_t item : {1, 2})
    for (std::int64_t account : {1, 2, 3}) ok.push_back(scheduleAt(item, account, now() + 10));
  ok.push_back(scheduleAt(1, 1, now() + 11));  // the same pair again: after the first one
  refused.push_back(scheduleAt(2, 4, now() + 10));
  clock_.advance(20s);
  auto o = opts_;
  o.tick = 10ms;
  o.batch = 3;  // several claims, leases and settle batches
  o.senders = 4;
  connectors_ = std::make_unique<connectors::ConnectorSet>(connectors::ConnectorOptions{}, clock_, http);
  Scheduler s(*db_, sources_, sources_, *connectors_, bus_.get(), clock_, o);
  ASSERT_TRUE(s.start());
  auto settled = [&] {
    for (auto id : ok)
      if (state(id) != "published") return false;
    return state(refused[0]) == "failed";
  };
  for (int i = 0; i < 1000 && !settled(); ++i) std::this_thread::sleep_for(10ms);
  s.stop();
  for (auto id : ok) EXPECT_EQ(state(id), "published") << "schedule " << id;
  EXPECT_EQ(state(refused[0]), "failed");
  std::set<std::string> keys;
  for (const auto& r : http.sent) keys.insert(r.headers.at("Idempotency-Key"));
  EXPECT_EQ(http.count("/hook"), 7) << "each post sent once";
  EXPECT_EQ(http.count("/bad"), 1) << "a permanent failure is not retried";
  EXPECT_EQ(keys.size(), 8u);
  auto ev = events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["type"], "publish.failed");
  EXPECT_EQ(ev[0]["account_id"], 4);
  EXPECT_EQ(ev[0]["schedule_id"], refused[0]);
  auto inflight = db_->query("SELECT COUNT(*) AS n FROM cms_inflight");
  ASSERT_TRUE(inflight);
  EXPECT_EQ((*inflight)[0].getInt("n"), 0) << "every pair released";
}

TEST_P(SchedulerTest, RetryableFailuresBackOffThenFailWithANotification) {
  ScriptedHttp http;
  http.on("/hook", answer(503, ""));
  auto s = scheduler(http);
  auto id = scheduleAt(1, 2, now() + 10);
  clock_.advance(11s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 1);
  EXPECT_EQ(state(id), "publishing");
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 1) << "not again before the backoff delay";
  clock_.advance(1001ms);  // attempt 1 -> at most 1 s
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 2);
  clock_.advance(2001ms);  // attempt 2 -> at most 2 s
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 3);
  EXPECT_EQ(state(id), "failed");
  clock_.advance(600s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook"), 3) << "maxAttempts is the end";
  auto ev = events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["type"], "publish.failed");
  EXPECT_EQ(ev[0]["item_id"], 1);
  EXPECT_EQ(ev[0]["account_id"], 2);
  EXPECT_EQ(ev[0]["schedule_id"], id);
}

TEST_P(SchedulerTest, PermanentFailureFailsAtOnce) {
  ScriptedHttp http;
  http.on("/hook", answer(400, ""));
  auto s = scheduler(http);
  auto id = scheduleAt(1, 1, now() + 1);
  clock_.advance(2s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "failed");
  EXPECT_EQ(http.count("/hook"), 1);
  EXPECT_EQ(events().at(0)["type"], "publish.failed");
}

TEST_P(SchedulerTest, AnUnknownOutcomeIsReconciledNeverResentBlindly) {
  ScriptedHttp http;
  http.on("/hook/lookup", answer(200, R"({"id":"found-1"})"));
  http.on("/hook", connectors::test::transport(HttpResponse::Transport::Timeout));
  auto s = scheduler(http);
  auto id = scheduleAt(1, 1, now() + 1);
  clock_.advance(2s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "unconfirmed");
  EXPECT_EQ(events().at(0)["type"], "publish.unconfirmed");
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook/lookup"), 0) << "the first lookup waits reconcileDelay";
  clock_.advance(5001ms);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook/lookup"), 1);
  EXPECT_EQ(state(id), "published");
  ScheduleStore store(sources_, sources_, clock_, nullptr);
  EXPECT_EQ(store.get(*db_, id)->remoteId, "found-1");
  EXPECT_EQ(http.count("/hook") - http.count("/hook/lookup"), 1) << "one POST in all";
}

TEST_P(SchedulerTest, NotFoundAfterTheGraceSendsAgainWithTheSameKey) {
  ScriptedHttp http;
  http.on("/hook/lookup", answer(404, "{}"));
  http.on("/hook", connectors::test::transport(HttpResponse::Transport::Timeout), 1);
  http.on("/hook", answer(200, R"({"id":"r2"})"));
  auto s = scheduler(http);
  auto id = scheduleAt(1, 1, now() + 1);
  clock_.advance(2s);
  ASSERT_TRUE(s->tick());
  clock_.advance(6s);  // lookup says no, but the send is only 6 s old: ask again later
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(http.count("/hook/lookup"), 1);
  EXPECT_EQ(state(id), "unconfirmed");
  clock_.advance(25s);  // 31 s after the send
  ASSERT_TRUE(s->tick());
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "published");
  std::vector<std::string> keys;
  for (const auto& r : http.sent)
    if (r.method == "POST") keys.push_back(r.headers.at("Idempotency-Key"));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], keys[1]);
}

TEST_P(SchedulerTest, OnlyOneAttemptPerItemAndAccountIsInFlight) {
  ScriptedHttp http;
  http.on("/hook", answer(200, R"({"id":"r"})"));
  auto s = scheduler(http);
  auto first = scheduleAt(1, 1, now() + 1);
  auto second = scheduleAt(1, 1, now() + 2);
  auto other = scheduleAt(2, 1, now() + 2);
  clock_.advance(3s);
  Outbox& outbox = s->outbox();
  auto claimed = outbox.claimDue(clock_.wall().time_since_epoch() / 1ms, 100);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(*claimed, 2) << "the second row of pair (1,1) waits";
  EXPECT_EQ(state(first), "publishing");
  EXPECT_EQ(state(second), "scheduled");
  EXPECT_EQ(state(other), "publishing");
  ASSERT_TRUE(s->tick());  // sends both; their pairs are free again
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(first), "published");
  EXPECT_EQ(state(second), "published");
  EXPECT_EQ(state(other), "published");
}

TEST_P(SchedulerTest, ARowLeftSendingByADeadProcessIsReconciledAtStart) {
  ScriptedHttp http;
  http.on("/hook/lookup", answer(200, R"({"id":"was-there"})"));
  http.on("/hook", answer(200, R"({"id":"fresh"})"));
  auto id = scheduleAt(1, 3, now() + 1);
  clock_.advance(2s);
  {
    auto dead = scheduler(http, "dead-node");
    std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
    ASSERT_TRUE(dead->outbox().claimDue(ms, 10));
    auto leased = dead->outbox().leasePending(ms, 10, 120000);
    ASSERT_TRUE(leased);
    ASSERT_EQ(leased->size(), 1u);  // ... and the process dies before storing any outcome
  }
  auto s = scheduler(http, "restarted");
  auto rec = s->recoverAtStart();
  ASSERT_TRUE(rec);
  EXPECT_EQ(*rec, 1);
  EXPECT_EQ(state(id), "unconfirmed");
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "published");
  EXPECT_EQ(http.count("/hook/lookup"), 1);
  EXPECT_EQ(http.count("/hook") - http.count("/hook/lookup"), 0) << "asked, never posted again";
}

TEST_P(SchedulerTest, ALookupLeftLeasedByADeadProcessIsAskedAgainAtStartNotAfterTheLease) {
  ScriptedHttp http;
  http.on("/hook/lookup", answer(200, R"({"id":"was-there"})"));
  http.on("/hook", connectors::test::transport(HttpResponse::Transport::Timeout), 1);
  auto id = scheduleAt(1, 2, now() + 1);
  clock_.advance(2s);
  {
    auto dead = scheduler(http, "dead-node");
    ASSERT_TRUE(dead->tick());  // the send timed out: unconfirmed
    EXPECT_EQ(state(id), "unconfirmed");
    clock_.advance(6s);
    std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
    auto leased = dead->outbox().leaseUnconfirmed(ms, 10, 120000);
    ASSERT_TRUE(leased);
    ASSERT_EQ(leased->size(), 1u);  // ... and the process dies during the lookup
  }
  auto s = scheduler(http, "restarted");
  ASSERT_TRUE(s->recoverAtStart());
  clock_.advance(1s);
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "published") << "looked up at once, not 120 s later";
  EXPECT_EQ(http.count("/hook/lookup"), 1);
}

TEST_P(SchedulerTest, AnotherNodesExpiredLeaseIsRecoveredButALiveOneIsNot) {
  ScriptedHttp http;
  http.on("/hook/lookup", answer(404, "{}"));
  auto id = scheduleAt(1, 1, now() + 1);
  clock_.advance(2s);
  auto other = scheduler(http, "other-node");
  std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
  ASSERT_TRUE(other->outbox().claimDue(ms, 10));
  ASSERT_EQ(other->outbox().leasePending(ms, 10, 60000)->size(), 1u);
  auto s = scheduler(http, "this-node");
  ASSERT_TRUE(s->tick());
  EXPECT_EQ(state(id), "publishing") << "the other node's lease is still valid";
  EXPECT_EQ(http.count("/hook/lookup"), 0);
  clock_.advance(61s);
  ASSERT_TRUE(s->tick());  // expired: unconfirmed, asked, not there: pending again
  EXPECT_EQ(http.count("/hook/lookup"), 1);
  EXPECT_EQ(http.count("/hook"), 1) << "asked first, not posted yet";
}

TEST_P(SchedulerTest, AVanishedAccountFailsThePost) {
  ScriptedHttp http;
  ScheduleStore store(sources_, sources_, clock_, nullptr);
  auto id = scheduleAt(1, 1, now() + 1);
  test::MemorySources empty;
  empty.addItem({.id = 1, .orgId = 1, .title = "x", .state = "approved"});
  connectors_ = std::make_unique<connectors::ConnectorSet>(connectors::ConnectorOptions{}, clock_, http);
  Scheduler s(*db_, empty, empty, *connectors_, bus_.get(), clock_, opts_);
  clock_.advance(2s);
  ASSERT_TRUE(s.tick());
  EXPECT_EQ(state(id), "failed");
  EXPECT_TRUE(http.sent.empty());
}

TEST_P(SchedulerTest, AVanishedItemFailsBeforeAnySendWithANotification) {
  ScriptedHttp http;
  auto id = scheduleAt(1, 2, now() + 1);
  test::MemorySources noItem;  // the accounts are there, the item is gone
  for (int a = 1; a <= 3; ++a) {
    auto acct = sources_.account(*db_, a);
    ASSERT_TRUE(acct);
    noItem.addAccount(*acct);
  }
  connectors_ = std::make_unique<connectors::ConnectorSet>(connectors::ConnectorOptions{}, clock_, http);
  Scheduler s(*db_, noItem, noItem, *connectors_, bus_.get(), clock_, opts_);
  clock_.advance(2s);
  auto stats = s.tick();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(state(id), "failed");
  EXPECT_TRUE(http.sent.empty()) << "nothing was sent";
  auto ev = events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["type"], "publish.failed");
  EXPECT_EQ(ev[0]["item_id"], 1);
  EXPECT_EQ(ev[0]["title"], "职工风采") << "the schedule row's copy of the title";
  EXPECT_EQ(ev[0]["account_id"], 2);
  EXPECT_EQ(ev[0]["account_name"], "site 2");
  EXPECT_EQ(ev[0]["schedule_id"], id);
  EXPECT_EQ(ev[0]["code"], "schedule.item_not_found");
}

TEST_P(SchedulerTest, InTheBackgroundEachAccountIsReadOncePerCacheExpiryForAllSenders) {
  ScriptedHttp http;
  http.on("/hook", answer(200, R"({"id":"r"})"));
  std::vector<std::int64_t> ids;
  for (std::int64_t item : {1, 2})
    for (std::int64_t account : {1, 2, 3}) ids.push_back(scheduleAt(item, account, now() + 1));
  clock_.advance(2s);
  auto o = opts_;
  o.tick = 10ms;
  o.senders = 4;
  o.accountCache = 60s;
  CountingAccounts accounts(sources_);
  connectors_ = std::make_unique<connectors::ConnectorSet>(connectors::ConnectorOptions{}, clock_, http);
  Scheduler s(*db_, accounts, sources_, *connectors_, bus_.get(), clock_, o);
  ASSERT_TRUE(s.start());
  auto allPublished = [&] {
    for (auto id : ids)
      if (state(id) != "published") return false;
    return true;
  };
  for (int i = 0; i < 1000 && !allPublished(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(allPublished());
  std::map<std::int64_t, int> readsOf;
  for (const auto& r : accounts.reads())
    for (auto id : r) ++readsOf[id];
  EXPECT_EQ(readsOf, (std::map<std::int64_t, int>{{1, 1}, {2, 1}, {3, 1}}))
      << "six sends, one read per account";

  // Once the entries expired, the first sender that needs one reads every expired one with it.
  const std::size_t before = accounts.reads().size();
  clock_.advance(61s);
  for (std::int64_t account : {1, 2, 3}) ids.push_back(scheduleAt(1, account, now() + 1));
  clock_.advance(2s);
  for (int i = 0; i < 1000 && !allPublished(); ++i) std::this_thread::sleep_for(10ms);
  s.stop();
  ASSERT_TRUE(allPublished());
  auto reads = accounts.reads();
  ASSERT_EQ(reads.size(), before + 1) << "one read after the expiry";
  EXPECT_EQ(reads.back(), (std::set<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(http.count("/hook"), 9);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest, ::testing::Values("sqlite", "mysql"),
                         sql::testing::backendName);

}  // namespace
}  // namespace hub::cms::schedule::test
