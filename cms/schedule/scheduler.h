// cms/schedule/scheduler.h
//
// Publishes what is due (architecture data flow 3): each tick claims due schedule rows into the
// outbox (outbox.h), leases ready outbox rows and sends each through its account's connector,
// and reconciles unconfirmed rows through the connector's lookup(). Outcomes:
//   posted -> published; retryable -> tried again after backoffDelay() until maxAttempts, then
//   failed; permanent -> failed; unknown (timeout, 5xx) -> unconfirmed, never sent again until
//   lookup() says the platform does not have it (and `reconcileGrace` has passed since the
//   send, so a request still travelling is not overtaken).
// Failures (a failed send, or a row whose item or variant vanished before any send) and
// unconfirmed outcomes publish a JSON event on the bus topic "cms.notifications":
//   {"type":"publish.failed"|"publish.unconfirmed","item_id","title","account_id",
//    "account_name","platform","schedule_id","code","message","error","at"}
// ("error" is "code: message"; "at" is epoch seconds). The item's own state follows its
// targets in the same transactions (ContentSource::targetsChanged, item_state.h).
// Time comes from the injected clock; tick() does one round synchronously (tests). start()
// splits the work over threads so that no send waits for a claim and no claim for a send:
//   a claimer   claims due rows (short set-based transactions, outbox.h) while any are due;
//   a dispatcher leases ready outbox rows (at most 2 x `senders` leased and not yet sent) and
//               hands them to `senders` sender threads, which only talk to the platform;
//   a writer    stores the outcomes in batches (Outbox::settleAll, one transaction per batch
//               of what arrived within 20 ms), then raises the notifications.
// A crash anywhere leaves rows "sending" until their lease expires; they are then reconciled
// through lookup() (unconfirmed), never sent blindly again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cms/connectors/connector_set.h"
#include "cms/schedule/backoff.h"
#include "cms/schedule/outbox.h"
#include "cms/schedule/sources.h"
#include "core/util/clock.h"

namespace hub::bus {
class Bus;
}
namespace hub::loop {
class WorkerPool;
}

namespace hub::cms::schedule {

inline constexpr const char* kNotificationsTopic = "cms.notifications";

struct SchedulerOptions {
  std::chrono::milliseconds tick{250};  // how often the background loop looks for due rows
  int batch = 200;                      // rows claimed / leased / settled per transaction
  int senders = 16;                     // sends in flight at once (background mode)
  BackoffPolicy backoff;
  std::chrono::milliseconds lease{120000};          // longest a send may take before it counts as lost
  std::chrono::milliseconds reconcileDelay{5000};   // first lookup after an unknown outcome
  std::chrono::milliseconds reconcileGrace{30000};  // "not found" counts only this long after the send
  std::chrono::milliseconds reconcileMax{600000};   // lookups back off up to this
  bool recoverAllAtStart = true;                    // the only node (SQLite): every "sending" row is ours
  // Background senders reuse an account's settings (credentials unsealed) this long; a
  // deactivated account stops receiving posts at most this late. The first sender that finds
  // its account expired reads it again together with every other expired one (one read for all
  // accounts per expiry). tick() always reads afresh.
  std::chrono::milliseconds accountCache{2000};
  std::string owner;  // lease owner; default: host:pid:random
};

struct TickStats {
  int claimed = 0, sent = 0, posted = 0, retried = 0, failed = 0, unconfirmed = 0, reconciled = 0;
};

class Scheduler {
 public:
  Scheduler(sql::Database& db, AccountSource& accounts, ContentSource& content,
            connectors::ConnectorSet& connectors, bus::Bus* bus, const Clock& clock,
            SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Rows a dead process left "sending" become unconfirmed (run once before the first tick).
  Result<int> recoverAtStart();

  // One synchronous round: recover expired leases, claim, send every ready row, reconcile.
  Result<TickStats> tick();

  // Background rounds every options.tick until stop(); sends run on `senders` threads.
  Status start();
  void stop();

  Outbox& outbox() { return outbox_; }

 private:
  // What one send or lookup decided, before it is stored; after() then counts it, notifies
  // and logs, once the store says whether this node still held the row.
  enum class Kind { Posted, Retried, Failed, Unconfirmed, Reconciled, Later };
  struct Decision {
    Settlement settle;
    Kind kind = Kind::Later;
    bool sent = false;       // a send (not a lookup)
    std::string notifyType;  // empty: none
    std::string code, message;
    std::optional<AccountInfo> account;
  };

  Result<AccountInfo> account(std::int64_t id);
  Decision send(const OutboxRow& row);
  Decision reconcile(const OutboxRow& row);
  Decision decide(const OutboxRow& row, const std::optional<AccountInfo>& account, Kind kind,
                  std::string outboxState, std::string scheduleState, std::int64_t nextAtMs);
  void after(const Decision& d, bool held, TickStats& stats);
  void stored(const Decision& d, const Result<bool>& held, TickStats& stats);
  connectors::PublishRequest request(const OutboxRow& row, const AccountInfo& account) const;
  void notify(const std::string& type, const OutboxRow& row, const AccountInfo* account,
              const std::string& code, const std::string& message);
  // claimDue(), then a "publish.failed" notification for each row that failed before any send.
  Result<int> claim(std::int64_t nowMs, TickStats& stats);
  std::int64_t nowMs() const;
  bool stopping();
  void claimLoop();
  void dispatchLoop();
  void writeLoop();
  void submit(OutboxRow row, bool lookup);

  sql::Database& db_;
  AccountSource& accounts_;
  ContentSource& content_;
  connectors::ConnectorSet& connectors_;
  bus::Bus* bus_;
  const Clock& clock_;
  SchedulerOptions options_;
  Outbox outbox_;

  std::unique_ptr<loop::WorkerPool> pool_;
  std::thread claimer_, dispatcher_, writer_;
  std::mutex mu_;
  std::condition_variable cv_;       // dispatcher: a slot freed, a claim landed, stop
  std::condition_variable writeCv_;  // writer: outcomes waiting, stop
  std::condition_variable claimCv_;  // claimer: stop
  bool stopping_ = false;
  bool sendersDone_ = false;
  bool claimedSome_ = false;
  int unsent_ = 0;     // leased, not yet sent or looked up
  int unwritten_ = 0;  // leased, outcome not yet stored
  std::deque<Decision> outcomes_;
  bool cacheAccounts_ = false;  // background mode only
  std::mutex accountsMu_;
  std::map<std::int64_t, std::pair<AccountInfo, std::chrono::steady_clock::time_point>> accountCache_;
  bool accountsLoading_ = false;        // a sender is reading accounts for the cache
  std::condition_variable accountsCv_;  // that read finished
};

}  // namespace hub::cms::schedule
