// cms/schedule/scheduler.cpp
#include "cms/schedule/scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <random>
#include <vector>

#include "core/bus/bus.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/loop/worker_pool.h"

namespace hub::cms::schedule {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("cms.schedule");
  return log;
}

std::string defaultOwner() {
  char host[64] = {0};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(rd() % 100000);
}

// How long the writer gathers outcomes before a transaction.
constexpr std::chrono::milliseconds kGather{20};

void logLost(const OutboxRow& row) {
  logger()->warn(
      "[outbox={} item={} account={}] lease lost before the outcome was stored; the row is reconciled",
      row.id, row.itemId, row.accountId);
}

}  // namespace

Scheduler::Scheduler(sql::Database& db, AccountSource& accounts, ContentSource& content,
                     connectors::ConnectorSet& connectors, bus::Bus* bus, const Clock& clock,
                     SchedulerOptions options)
    : db_(db),
      accounts_(accounts),
      content_(content),
      connectors_(connectors),
      bus_(bus),
      clock_(clock),
      options_(std::move(options)),
      outbox_(db, content, options_.owner.empty() ? defaultOwner() : options_.owner) {}

Scheduler::~Scheduler() { stop(); }

std::int64_t Scheduler::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall().time_since_epoch()).count();
}

Result<int> Scheduler::recoverAtStart() {
  auto n = outbox_.recover(nowMs(), options_.recoverAllAtStart);
  if (n && *n > 0)
    logger()->warn("{} publish attempts were interrupted; they are reconciled before anything is sent again",
                   *n);
  return n;
}

connectors::PublishRequest Scheduler::request(const OutboxRow& row, const AccountInfo& account) const {
  connectors::PublishRequest r;
  r.itemId = row.itemId;
  r.accountId = row.accountId;
  r.platform = account.platform;
  r.variant = row.payload;
  r.account = account.settings;
  r.idempotencyKey = row.key;
  r.progress = row.progress;
  return r;
}

void Scheduler::notify(const std::string& type, const OutboxRow& row, const AccountInfo* account,
                       const std::string& code, const std::string& message) {
  if (!bus_) return;
  std::string title = row.payload.value("title", "");
  if (auto item = content_.item(db_, row.itemId)) title = item->title;
  nlohmann::json ev = {{"type", type},
                       {"item_id", row.itemId},
                       {"title", title},
                       {"account_id", row.accountId},
                       {"account_name", account ? account->name : ""},
                       {"platform", account ? account->platform : ""},
                       {"schedule_id", row.scheduleId},
                       {"code", code},
                       {"message", message},
                       {"error", code.empty() ? message : code + ": " + message},
                       {"at", nowMs() / 1000}};
  if (Status st = bus_->publish(kNotificationsTopic, ev.dump()); !st)
    logger()->warn("[item={} account={}] notification not published: {}", row.itemId, row.accountId,
                   st.error().message);
}

Scheduler::Decision Scheduler::decide(const OutboxRow& row, const std::optional<AccountInfo>& account,
                                      Kind kind, std::string outboxState, std::string scheduleState,
                                      std::int64_t nextAtMs) {
  Decision d;
  d.kind = kind;
  d.account = account;
  d.settle.row = row;
  d.settle.releasePair = outboxState == "done" || outboxState == "failed";
  d.settle.outboxState = std::move(outboxState);
  d.settle.scheduleState = std::move(scheduleState);
  d.settle.nextAtMs = nextAtMs;
  d.settle.progress = row.progress;
  d.settle.atMs = nowMs();
  return d;
}

Result<AccountInfo> Scheduler::account(std::int64_t id) {
  if (!cacheAccounts_) return accounts_.account(db_, id);
  std::vector<std::int64_t> ids{id};
  {
    // One reader at a time, and it refreshes every account whose entry expired in the same
    // read: senders that need an account meanwhile wait for that read instead of each reading.
    std::unique_lock lock(accountsMu_);
    while (true) {
      auto it = accountCache_.find(id);
      if (it != accountCache_.end() && clock_.steady() - it->second.second < options_.accountCache)
        return it->second.first;
      if (!accountsLoading_) break;
      accountsCv_.wait(lock);
    }
    accountsLoading_ = true;
    const auto now = clock_.steady();
    for (const auto& [other, entry] : accountCache_)
      if (other != id && now - entry.second >= options_.accountCache) ids.push_back(other);
  }
  const auto readAt = clock_.steady();
  auto read = accounts_.accountsMany(db_, ids);
  Result<AccountInfo> out = makeError("schedule.account_not_found", "no account " + std::to_string(id));
  {
    std::lock_guard lock(accountsMu_);
    accountsLoading_ = false;
    if (!read) {
      out = read.error();
    } else {
      for (auto& [k, a] : *read) {
        if (a)
          accountCache_[k] = {*a, readAt};
        else
          accountCache_.erase(k);  // read again when next needed
        if (k == id) out = std::move(a);
      }
    }
  }
  accountsCv_.notify_all();
  return out;
}

Scheduler::Decision Scheduler::send(const OutboxRow& row) {
  auto account = this->account(row.accountId);
  if (!account || !account->active) {
    std::optional<AccountInfo> known;
    if (account) known = *account;
    Decision d = decide(row, known, Kind::Failed, "failed", "failed", nowMs());
    d.sent = true;
    d.message = account ? "account is not active" : account.error().message;
    d.code = account ? "schedule.account_inactive" : account.error().code;
    d.settle.error = d.message;
    d.notifyType = "publish.failed";
    return d;
  }
  auto& connector = connectors_.forAccount(account->platform, account->settings);
  connectors::PublishResult res = connector.publish(request(row, *account));
  const std::int64_t now = nowMs();
  std::string error = res.code.empty() ? res.message : res.code + ": " + res.message;
  Decision d;
  switch (res.outcome) {
    case connectors::Outcome::Posted:
      d = decide(row, *account, Kind::Posted, "done", "published", now);
      d.settle.remoteId = res.remoteId;
      break;
    case connectors::Outcome::Retryable:
      if (row.attempts < options_.backoff.maxAttempts) {
        auto delay = backoffDelay(options_.backoff, row.attempts, jitterUnit());
        d = decide(row, *account, Kind::Retried, "pending", "publishing", now + delay.count());
        break;
      }
      [[fallthrough]];
    case connectors::Outcome::Permanent:
      d = decide(row, *account, Kind::Failed, "failed", "failed", now);
      d.notifyType = "publish.failed";
      break;
    case connectors::Outcome::Unknown:
      d = decide(row, *account, Kind::Unconfirmed, "unconfirmed", "unconfirmed",
                 now + options_.reconcileDelay.count());
      d.notifyType = "publish.unconfirmed";
      break;
  }
  d.sent = true;
  if (res.outcome != connectors::Outcome::Posted) {
    d.settle.error = error;
    d.code = res.code;
    d.message = res.message;
  }
  if (!res.progress.empty()) d.settle.progress = res.progress;
  return d;
}

Scheduler::Decision Scheduler::reconcile(const OutboxRow& row) {
  auto account = this->account(row.accountId);
  const std::int64_t now = nowMs();
  if (!account) {
    Decision d = decide(row, std::nullopt, Kind::Later, "unconfirmed", "unconfirmed",
                        now + options_.reconcileMax.count());
    d.settle.error = account.error().message;
    d.settle.countLookup = true;
    return d;
  }
  auto& connector = connectors_.forAccount(account->platform, account->settings);
  connectors::LookupResult l = connector.lookup(request(row, *account));
  Decision d;
  if (l.found == connectors::Found::Yes) {
    d = decide(row, *account, Kind::Reconciled, "done", "published", now);
    d.settle.remoteId = l.remoteId;
  } else if (l.found == connectors::Found::No && now - row.sentAtMs >= options_.reconcileGrace.count()) {
    if (row.attempts >= options_.backoff.maxAttempts) {
      d = decide(row, *account, Kind::Failed, "failed", "failed", now);
      d.code = "schedule.not_received";
      d.message = "the platform never received it";
      d.settle.error = d.message;
      d.notifyType = "publish.failed";
    } else {
      d = decide(row, *account, Kind::Retried, "pending", "publishing", now);
    }
  } else {
    // Not found too soon after the send, or the platform could not tell: ask again later.
    std::int64_t next =
        l.found == connectors::Found::No
            ? row.sentAtMs + options_.reconcileGrace.count()
            : now + std::min<std::int64_t>(options_.reconcileDelay.count() << std::min(row.lookups, 16),
                                           options_.reconcileMax.count());
    d = decide(row, *account, Kind::Later, "unconfirmed", "unconfirmed", std::max(next, now));
    d.settle.error = l.message;
    d.settle.countLookup = true;
  }
  if (!l.progress.empty()) d.settle.progress = l.progress;
  return d;
}

void Scheduler::stored(const Decision& d, const Result<bool>& held, TickStats& stats) {
  if (held) return after(d, *held, stats);
  if (d.sent) ++stats.sent;
  const OutboxRow& row = d.settle.row;
  logger()->error("[item={} account={} outbox={}] storing the outcome failed: {}", row.itemId, row.accountId,
                  row.id, held.error().message);
}

void Scheduler::after(const Decision& d, bool held, TickStats& stats) {
  const OutboxRow& row = d.settle.row;
  if (d.sent) ++stats.sent;
  if (!held) {
    logLost(row);
    return;
  }
  switch (d.kind) {
    case Kind::Posted:
      ++stats.posted;
      logger()->info("[item={} account={} outbox={}] published remote={}", row.itemId, row.accountId, row.id,
                     d.settle.remoteId);
      break;
    case Kind::Retried:
      ++stats.retried;
      if (d.sent)
        logger()->info("[item={} account={} outbox={}] attempt {} failed ({}), next at {} ms", row.itemId,
                       row.accountId, row.id, row.attempts, d.settle.error, d.settle.nextAtMs);
      else
        logger()->info(
            "[item={} account={} outbox={}] reconciled: the platform does not have it; sending again",
            row.itemId, row.accountId, row.id);
      break;
    case Kind::Failed:
      ++stats.failed;
      logger()->warn("[item={} account={} outbox={}] publish failed after {} attempts: {}", row.itemId,
                     row.accountId, row.id, row.attempts, d.settle.error);
      break;
    case Kind::Unconfirmed:
      ++stats.unconfirmed;
      logger()->warn("[item={} account={} outbox={}] outcome unknown ({}); reconciling", row.itemId,
                     row.accountId, row.id, d.settle.error);
      break;
    case Kind::Reconciled:
      ++stats.reconciled;
      logger()->info("[item={} account={} outbox={}] reconciled: the platform has it (remote={})", row.itemId,
                     row.accountId, row.id, d.settle.remoteId);
      break;
    case Kind::Later:
      break;
  }
  if (!d.notifyType.empty()) notify(d.notifyType, row, d.account ? &*d.account : nullptr, d.code, d.message);
}

Result<int> Scheduler::claim(std::int64_t now, TickStats& stats) {
  std::vector<ClaimFailure> failures;
  auto claimed = outbox_.claimDue(now, options_.batch, &failures);
  for (const auto& f : failures) {
    ++stats.failed;
    OutboxRow row;
    row.scheduleId = f.scheduleId;
    row.itemId = f.itemId;
    row.accountId = f.accountId;
    row.payload = {{"title", f.title}};
    auto account = accounts_.account(db_, f.accountId);
    notify("publish.failed", row, account ? &*account : nullptr, f.code, f.message);
  }
  return claimed;
}

Result<TickStats> Scheduler::tick() {
  TickStats stats;
  const std::int64_t now = nowMs();
  if (auto r = outbox_.recover(now, false); !r) return r.error();
  auto claimed = claim(now, stats);
  if (!claimed) return claimed.error();
  stats.claimed = *claimed;
  auto rows = outbox_.leasePending(now, options_.batch, options_.lease.count());
  if (!rows) return rows.error();
  for (const auto& r : *rows) {
    Decision d = send(r);
    stored(d, outbox_.settleOne(d.settle), stats);
  }
  auto unconfirmed = outbox_.leaseUnconfirmed(nowMs(), options_.batch, options_.lease.count());
  if (!unconfirmed) return unconfirmed.error();
  for (const auto& r : *unconfirmed) {
    Decision d = reconcile(r);
    stored(d, outbox_.settleOne(d.settle), stats);
  }
  return stats;
}

Status Scheduler::start() {
  if (claimer_.joinable()) return {};
  loop::WorkerPoolOptions o;
  o.threads = static_cast<std::size_t>(std::max(1, options_.senders));
  o.maxQueue = 0;
  o.name = "cms-send";
  pool_ = std::make_unique<loop::WorkerPool>(o);
  cacheAccounts_ = options_.accountCache.count() > 0;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    sendersDone_ = false;
  }
  writer_ = hub::loop::namedThread("hub-sched-write", [this] { writeLoop(); });
  dispatcher_ = hub::loop::namedThread("hub-sched-send", [this] { dispatchLoop(); });
  claimer_ = hub::loop::namedThread("hub-sched-claim", [this] { claimLoop(); });
  return {};
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  claimCv_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  if (dispatcher_.joinable()) dispatcher_.join();
  if (pool_) pool_->shutdown();  // the sends already handed over finish; their outcomes are stored
  {
    std::lock_guard lock(mu_);
    sendersDone_ = true;
  }
  writeCv_.notify_all();
  if (writer_.joinable()) writer_.join();
  pool_.reset();
}

bool Scheduler::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void Scheduler::claimLoop() {
  auto lastRecover = std::chrono::steady_clock::time_point{};
  while (!stopping()) {
    const std::int64_t now = nowMs();
    if (std::chrono::steady_clock::now() - lastRecover > std::chrono::seconds(5)) {
      if (auto r = outbox_.recover(now, false); !r) logger()->warn("recover: {}", r.error().message);
      lastRecover = std::chrono::steady_clock::now();
    }
    TickStats stats;
    auto claimed = claim(now, stats);
    bool more = false;
    if (!claimed) {
      logger()->warn("claim: {}", claimed.error().message);
    } else if (*claimed > 0) {
      more = *claimed == options_.batch;
      {
        std::lock_guard lock(mu_);
        claimedSome_ = true;
      }
      cv_.notify_all();
    }
    if (more) continue;
    // Due times are whole seconds: look again at the next second's start, or after a tick.
    auto toNextSecond = std::chrono::milliseconds(1000 - nowMs() % 1000 + 5);
    std::unique_lock lock(mu_);
    claimCv_.wait_for(lock, std::min(options_.tick, toNextSecond), [&] { return stopping_; });
  }
}

void Scheduler::dispatchLoop() {
  const int maxUnsent = 2 * std::max(1, options_.senders);
  const int maxUnwritten = maxUnsent + 4 * std::max(1, options_.batch);
  while (!stopping()) {
    int room = 0;
    {
      std::lock_guard lock(mu_);
      room = std::min(maxUnsent - unsent_, maxUnwritten - unwritten_);
      claimedSome_ = false;
    }
    bool more = false;
    const std::int64_t now = nowMs();
    if (room > 0) {
      const int want = std::min(room, options_.batch);
      auto rows = outbox_.leasePending(now, want, options_.lease.count());
      if (!rows) {
        logger()->warn("lease: {}", rows.error().message);
      } else {
        more = static_cast<int>(rows->size()) == want;
        room -= static_cast<int>(rows->size());
        for (auto& r : *rows) submit(std::move(r), false);
      }
    }
    if (room > 0) {
      auto rows = outbox_.leaseUnconfirmed(now, std::min(room, 8), options_.lease.count());
      if (!rows)
        logger()->warn("lease lookups: {}", rows.error().message);
      else
        for (auto& r : *rows) submit(std::move(r), true);
    }
    std::unique_lock lock(mu_);
    if (more)  // work is waiting: go again as soon as there is room
      cv_.wait_for(lock, options_.tick,
                   [&] { return stopping_ || (unsent_ < maxUnsent && unwritten_ < maxUnwritten); });
    else
      cv_.wait_for(lock, options_.tick, [&] { return stopping_ || claimedSome_; });
  }
}

void Scheduler::submit(OutboxRow row, bool lookup) {
  {
    std::lock_guard lock(mu_);
    ++unsent_;
    ++unwritten_;
  }
  Status st = pool_->submit([this, row = std::move(row), lookup] {
    Decision d = lookup ? reconcile(row) : send(row);
    {
      std::lock_guard lock(mu_);
      --unsent_;
      outcomes_.push_back(std::move(d));
    }
    writeCv_.notify_one();
    cv_.notify_all();
  });
  if (!st) {  // the row stays leased; once the lease expires it is reconciled
    logger()->warn("[outbox={}] not handed to a sender: {}", row.id, st.error().message);
    std::lock_guard lock(mu_);
    --unsent_;
    --unwritten_;
  }
}

void Scheduler::writeLoop() {
  TickStats stats;  // the background mode keeps no totals; after() logs and notifies
  while (true) {
    std::vector<Decision> batch;
    {
      std::unique_lock lock(mu_);
      writeCv_.wait(lock, [&] { return !outcomes_.empty() || sendersDone_; });
      if (outcomes_.empty()) break;  // senders done and nothing left
      // Gather a little more before a transaction of a few rows (lateness counts from the send,
      // not from this store).
      writeCv_.wait_for(lock, std::min<std::chrono::milliseconds>(options_.tick, kGather), [&] {
        return sendersDone_ || stopping_ || static_cast<int>(outcomes_.size()) >= options_.batch;
      });
      while (!outcomes_.empty() && static_cast<int>(batch.size()) < options_.batch) {
        batch.push_back(std::move(outcomes_.front()));
        outcomes_.pop_front();
      }
    }
    std::vector<Settlement> settle;
    settle.reserve(batch.size());
    for (const auto& d : batch) settle.push_back(d.settle);
    auto held = outbox_.settleAll(settle);
    for (std::size_t i = 0; i < batch.size(); ++i) stored(batch[i], held[i], stats);
    {
      std::lock_guard lock(mu_);
      unwritten_ -= static_cast<int>(batch.size());
    }
    cv_.notify_all();
  }
}

}  // namespace hub::cms::schedule
