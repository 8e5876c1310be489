// cms/schedule/tests/scheduler_fixture.h: the scheduler tests' fixture: content and accounts that
// record what they were asked, a memory bus, an injected clock, on SQLite and on the run's MariaDB.
#pragma once

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

namespace hub::cms::schedule::test {

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

}  // namespace hub::cms::schedule::test
