// cms/schedule/tests/scheduler_test.cpp: the scheduler and its outbox with an injected clock,
// on SQLite and on the run's MariaDB, sending through the real connectors over a scripted
// HTTP client (no sockets, no sleeping).
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cms/connectors/connector_set.h"
#include "cms/connectors/tests/scripted_http.h"
#include "cms/schedule/schedule_migrations.h"
#include "cms/schedule/schedule_store.h"
#include "cms/schedule/scheduler.h"
#include "cms/schedule/tests/memory_sources.h"
#include "core/bus/bus.h"
#include "core/sql/errors.h"
#include "core/sql/tests/backend_fixture.h"

namespace hub::cms::schedule {
namespace {

using connectors::HttpResponse;
using connectors::test::answer;
using connectors::test::ScriptedHttp;
using namespace std::chrono_literals;

// The test's content with item-state hooks that record what each transaction followed and can
// fail the next few of them like a lost deadlock would ("sql.busy"), or with another error.
class RecordingContent final : public ContentSource {
 public:
  explicit RecordingContent(test::MemorySources& inner) : inner_(inner) {}
  Result<ItemInfo> item(sql::Executor& db, std::int64_t id) override { return inner_.item(db, id); }
  Result<nlohmann::json> variant(sql::Executor& db, std::int64_t item, std::int64_t account) override {
    return inner_.variant(db, item, account);
  }
  Status targetsChangedMany(sql::Executor&, const std::map<std::int64_t, std::string>& whyByItem) override {
    std::set<std::int64_t> items;
    for (const auto& [id, why] : whyByItem) items.insert(id);
    calls.push_back(items);
    if (failNext > 0) {
      --failNext;
      return makeError(failCode, "injected failure");
    }
    return {};
  }
  int failNext = 0;
  std::string failCode = sql::errc::kBusy;
  std::vector<std::set<std::int64_t>> calls;  // the items of each call, failed ones included

 private:
  test::MemorySources& inner_;
};

// The test's accounts, counting which ones each read asked for.
class CountingAccounts final : public AccountSource {
 public:
  explicit CountingAccounts(test::MemorySources& inner) : inner_(inner) {}
  Result<AccountInfo> account(sql::Executor& db, std::int64_t id) override {
    record({id});
    return inner_.account(db, id);
  }
  Result<std::map<std::int64_t, Result<AccountInfo>>> accountsMany(
      sql::Executor& db, const std::vector<std::int64_t>& ids) override {
    record(std::set<std::int64_t>(ids.begin(), ids.end()));
    std::map<std::int64_t, Result<AccountInfo>> out;
    for (std::int64_t id : ids) out.emplace(id, inner_.account(db, id));
    return out;
  }
  std::vector<std::set<std::int64_t>> reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  void record(std::set<std::int64_t> ids) {
    std::lock_guard lock(mu_);
    reads_.push_back(std::move(ids));
  }
  test::MemorySources& inner_;
  std::mutex mu_;
  std::vector<std::set<std::int64_t>> reads_;
};

class SchedulerTest : public sql::testing::SqlContract {
 protected:
  void SetUp() override {
    SqlContract::SetUp();
    ASSERT_TRUE(sql::migrate(*db_, migrations()));
    sources_.addItem({.id = 1, .orgId = 1, .title = "职工风采", .state = "approved"});
    sources_.addItem({.id = 2, .orgId = 1, .title = "second", .state = "approved"});
    for (int a = 1; a <= 3; ++a)
      sources_.addAccount(
          {.id = a,
           .orgId = 1,
           .name = "site " + std::to_string(a),
           .platform = "website",
           .kind = "",
           .active = true,
           .settings = {
               {"url", "http://fake/hook"}, {"lookup_url", "http://fake/hook/lookup"}, {"secret", "s"}}});
    bus_ = std::move(bus::open("memory://")).value();
    sub_ =
        std::make_unique<bus::Subscription>(bus_->subscribe(kNotificationsTopic, [this](auto, auto payload) {
          std::lock_guard lock(mu_);
          events_.push_back(nlohmann::json::parse(payload));
        }));
    opts_.backoff.base = 1000ms;
    opts_.backoff.max = 60000ms;
    opts_.backoff.maxAttempts = 3;
    opts_.reconcileDelay = 5000ms;
    opts_.reconcileGrace = 30000ms;
    opts_.owner = "node-a";
  }
  void TearDown() override {
    sub_.reset();
    bus_.reset();
    SqlContract::TearDown();
  }

  std::int64_t now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  }
  std::int64_t scheduleAt(std::int64_t item, std::int64_t account, std::int64_t at) {
    ScheduleStore store(sources_, sources_, clock_, nullptr);
    FieldErrors fields;
    NewSchedule req;
    req.itemId = item;
    req.accountIds = {account};
    req.times = {at};
    auto rows = store.create(
        *db_, 9, req, [](std::int64_t) { return true; }, fields);
    EXPECT_TRUE(rows) << (fields.empty() ? rows.error().message : fields.begin()->second);
    return rows ? rows->front().id : 0;
  }
  std::string state(std::int64_t scheduleId) {
    ScheduleStore store(sources_, sources_, clock_, nullptr);
    auto r = store.get(*db_, scheduleId);
    return r ? r->state : "?";
  }
  std::unique_ptr<Scheduler> scheduler(ScriptedHttp& http, std::string owner = "node-a") {
    connectors_ = std::make_unique<connectors::ConnectorSet>(connectors::ConnectorOptions{}, clock_, http);
    auto o = opts_;
    o.owner = std::move(owner);
    return std::make_unique<Scheduler>(*db_, sources_, sources_, *connectors_, bus_.get(), clock_, o);
  }
  // Every due row claimed and leased now by `outbox`; `n` of them expected.
  std::vector<OutboxRow> claimAndLease(Outbox& outbox, std::size_t n) {
    const std::int64_t ms = clock_.wall().time_since_epoch() / 1ms;
    auto claimed = outbox.claimDue(ms, 500);
    EXPECT_TRUE(claimed && *claimed == static_cast<int>(n));
    auto leased = outbox.leasePending(ms, 500, 120000);
    EXPECT_TRUE(leased && leased->size() == n);
    return leased ? *leased : std::vector<OutboxRow>{};
  }
  std::vector<nlohmann::json> events() {
    // The memory bus delivers on its own thread: wait briefly for what was published.
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu_);
        if (!events_.empty()) return events_;
      }
      std::this_thread::sleep_for(5ms);
    }
    return {};
  }

  FakeClock clock_;
  test::MemorySources sources_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Subscription> sub_;
  std::unique_ptr<connectors::ConnectorSet> connectors_;
  SchedulerOptions opts_;
  std::mutex mu_;
  std::vector<nlohmann::json> events_;
};

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

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest, ::testing::Values("sqlite", "mysql"),
                         sql::testing::backendName);

}  // namespace
}  // namespace hub::cms::schedule
