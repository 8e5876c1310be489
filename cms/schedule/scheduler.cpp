// cms/schedule/scheduler.cpp
#include "cms/schedule/scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "core/bus/bus.h"
#include "core/log/log.h"
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

void Scheduler::send(OutboxRow row, TickStats& stats) {
  ++stats.sent;
  auto account = accounts_.account(db_, row.accountId);
  if (!account || !account->active) {
    std::string msg = account ? "account is not active" : account.error().message;
    auto r = outbox_.markFailed(row, msg, row.progress, nowMs());
    if (r && *r) {
      ++stats.failed;
      notify("publish.failed", row, account ? &*account : nullptr,
             account ? "schedule.account_inactive" : account.error().code, msg);
    }
    return;
  }
  auto& connector = connectors_.forAccount(account->platform, account->settings);
  connectors::PublishResult res = connector.publish(request(row, *account));
  const std::int64_t now = nowMs();
  const nlohmann::json& progress = res.progress.empty() ? row.progress : res.progress;
  std::string error = res.code.empty() ? res.message : res.code + ": " + res.message;
  Result<bool> held = false;
  switch (res.outcome) {
    case connectors::Outcome::Posted:
      held = outbox_.markPosted(row, res.remoteId, progress, now);
      if (held && *held) ++stats.posted;
      logger()->info("[item={} account={} outbox={}] published remote={}", row.itemId, row.accountId, row.id,
                     res.remoteId);
      break;
    case connectors::Outcome::Retryable:
      if (row.attempts < options_.backoff.maxAttempts) {
        auto delay = backoffDelay(options_.backoff, row.attempts, jitterUnit());
        held = outbox_.markRetry(row, now + delay.count(), error, progress, now);
        if (held && *held) ++stats.retried;
        logger()->info("[item={} account={} outbox={}] attempt {} failed ({}), next in {} ms", row.itemId,
                       row.accountId, row.id, row.attempts, error, delay.count());
        break;
      }
      [[fallthrough]];
    case connectors::Outcome::Permanent:
      held = outbox_.markFailed(row, error, progress, now);
      if (held && *held) {
        ++stats.failed;
        notify("publish.failed", row, &*account, res.code, res.message);
      }
      logger()->warn("[item={} account={} outbox={}] publish failed after {} attempts: {}", row.itemId,
                     row.accountId, row.id, row.attempts, error);
      break;
    case connectors::Outcome::Unknown:
      held = outbox_.markUnconfirmed(row, now + options_.reconcileDelay.count(), error, progress, now, false);
      if (held && *held) {
        ++stats.unconfirmed;
        notify("publish.unconfirmed", row, &*account, res.code, res.message);
      }
      logger()->warn("[item={} account={} outbox={}] outcome unknown ({}); reconciling", row.itemId,
                     row.accountId, row.id, error);
      break;
  }
  if (!held)
    logger()->error("[item={} account={} outbox={}] storing the outcome failed: {}", row.itemId,
                    row.accountId, row.id, held.error().message);
  else if (!*held)
    logLost(row);
}

void Scheduler::reconcile(OutboxRow row, TickStats& stats) {
  auto account = accounts_.account(db_, row.accountId);
  const std::int64_t now = nowMs();
  if (!account) {
    (void)outbox_.markUnconfirmed(row, now + options_.reconcileMax.count(), account.error().message,
                                  row.progress, now, true);
    return;
  }
  auto& connector = connectors_.forAccount(account->platform, account->settings);
  connectors::LookupResult l = connector.lookup(request(row, *account));
  const nlohmann::json& progress = l.progress.empty() ? row.progress : l.progress;
  Result<bool> held = false;
  if (l.found == connectors::Found::Yes) {
    held = outbox_.markPosted(row, l.remoteId, progress, now);
    if (held && *held) ++stats.reconciled;
    logger()->info("[item={} account={} outbox={}] reconciled: the platform has it (remote={})", row.itemId,
                   row.accountId, row.id, l.remoteId);
  } else if (l.found == connectors::Found::No && now - row.sentAtMs >= options_.reconcileGrace.count()) {
    if (row.attempts >= options_.backoff.maxAttempts) {
      held = outbox_.markFailed(row, "the platform never received it", progress, now);
      if (held && *held) {
        ++stats.failed;
        notify("publish.failed", row, &*account, "schedule.not_received", "the platform never received it");
      }
    } else {
      held = outbox_.markRetry(row, now, "", progress, now);
      if (held && *held) ++stats.retried;
      logger()->info(
          "[item={} account={} outbox={}] reconciled: the platform does not have it; sending again",
          row.itemId, row.accountId, row.id);
    }
  } else {
    // Not found too soon after the send, or the platform could not tell: ask again later.
    std::int64_t next =
        l.found == connectors::Found::No
            ? row.sentAtMs + options_.reconcileGrace.count()
            : now + std::min<std::int64_t>(options_.reconcileDelay.count() << std::min(row.lookups, 16),
                                           options_.reconcileMax.count());
    held = outbox_.markUnconfirmed(row, std::max(next, now), l.message, progress, now, true);
  }
  if (!held)
    logger()->error("[outbox={}] storing the lookup failed: {}", row.id, held.error().message);
  else if (!*held)
    logLost(row);
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
  for (auto& r : *rows) send(std::move(r), stats);
  auto unconfirmed = outbox_.leaseUnconfirmed(nowMs(), options_.batch, options_.lease.count());
  if (!unconfirmed) return unconfirmed.error();
  for (auto& r : *unconfirmed) reconcile(std::move(r), stats);
  return stats;
}

Status Scheduler::start() {
  if (thread_.joinable()) return {};
  loop::WorkerPoolOptions o;
  o.threads = static_cast<std::size_t>(std::max(1, options_.senders));
  o.maxQueue = 0;
  o.name = "cms-send";
  pool_ = std::make_unique<loop::WorkerPool>(o);
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
  return {};
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (pool_) pool_->shutdown();
  pool_.reset();
}

void Scheduler::submit(OutboxRow row, bool lookup) {
  {
    std::lock_guard lock(mu_);
    ++inFlight_;
  }
  Status st = pool_->submit([this, row = std::move(row), lookup]() mutable {
    TickStats stats;
    if (lookup)
      reconcile(std::move(row), stats);
    else
      send(std::move(row), stats);
    {
      std::lock_guard lock(mu_);
      --inFlight_;
    }
    cv_.notify_all();
  });
  if (!st) {
    std::lock_guard lock(mu_);
    --inFlight_;
  }
}

void Scheduler::loop() {
  auto lastRecover = std::chrono::steady_clock::time_point{};
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    const std::int64_t now = nowMs();
    if (std::chrono::steady_clock::now() - lastRecover > std::chrono::seconds(5)) {
      if (auto r = outbox_.recover(now, false); !r) logger()->warn("recover: {}", r.error().message);
      lastRecover = std::chrono::steady_clock::now();
    }
    bool more = false;
    TickStats claimStats;
    auto claimed = claim(now, claimStats);
    if (!claimed)
      logger()->warn("claim: {}", claimed.error().message);
    else
      more = *claimed == options_.batch;
    int free = 0;
    {
      std::lock_guard lock(mu_);
      free = options_.senders - inFlight_;
    }
    if (free > 0) {
      auto rows = outbox_.leasePending(now, free, options_.lease.count());
      if (!rows) {
        logger()->warn("lease: {}", rows.error().message);
      } else {
        more = more || static_cast<int>(rows->size()) == free;
        free -= static_cast<int>(rows->size());
        for (auto& r : *rows) submit(std::move(r), false);
      }
    }
    if (free > 0) {
      auto rows = outbox_.leaseUnconfirmed(now, std::min(free, 8), options_.lease.count());
      if (rows)
        for (auto& r : *rows) submit(std::move(r), true);
    }
    std::unique_lock lock(mu_);
    if (more)  // work is waiting: go again as soon as a sender is free
      cv_.wait_for(lock, options_.tick, [&] { return stopping_ || inFlight_ < options_.senders; });
    else
      cv_.wait_for(lock, options_.tick, [&] { return stopping_; });
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return inFlight_ == 0; });
}

}  // namespace hub::cms::schedule
