// cms/schedule/outbox.h
//
// The SQL half of publishing (architecture data flow 3). claimDue() moves due schedule rows
// from "scheduled" to "publishing" and writes their outbox rows IN THE SAME TRANSACTION, with a
// cms_inflight row per (item, account) whose primary key lets only one attempt per pair be in
// flight on any node. Senders then lease outbox rows (pending -> sending, with an owner and an
// expiry) and report the outcome, each report one transaction that also moves the schedule
// row. A row left "sending" by a process that died becomes "unconfirmed" (recover()), and
// unconfirmed rows are leased for lookups the same way. MariaDB: the row selections use
// FOR UPDATE SKIP LOCKED, so several cms nodes share the work; SQLite has one writer.
//
// Outbox states: pending -> sending -> done | pending (retry) | failed | unconfirmed;
// unconfirmed -> done | pending (the platform said it never arrived) | failed.
// Times here are epoch milliseconds (wall clock), except the schedule's due_at (seconds).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cms/schedule/sources.h"
#include "core/sql/database.h"

namespace hub::cms::schedule {

struct OutboxRow {
  std::int64_t id = 0;
  std::int64_t scheduleId = 0;
  std::int64_t itemId = 0;
  std::int64_t accountId = 0;
  std::int64_t dueAt = 0;  // seconds
  std::string key;
  nlohmann::json payload = nlohmann::json::object();
  std::string state;
  int attempts = 0;  // sends started, this one included once leased
  int lookups = 0;
  std::int64_t sentAtMs = 0;
  nlohmann::json progress = nlohmann::json::object();
};

// A due row failed at claim time, before any send (its item or variant vanished).
struct ClaimFailure {
  std::int64_t scheduleId = 0;
  std::int64_t itemId = 0;
  std::int64_t accountId = 0;
  std::string title;  // the schedule row's copy of the item title
  std::string code;   // e.g. "schedule.item_not_found"
  std::string message;
};

class Outbox {
 public:
  Outbox(sql::Database& db, ContentSource& content, std::string owner)
      : db_(db), content_(content), owner_(std::move(owner)) {}

  const std::string& owner() const { return owner_; }

  // Claims up to `limit` schedule rows due at or before nowMs. Returns how many were claimed;
  // rows whose item or variant has vanished are marked failed instead, and listed in
  // `failures` (when given) once the claim committed.
  Result<int> claimDue(std::int64_t nowMs, int limit, std::vector<ClaimFailure>* failures = nullptr);

  // pending rows whose next_at has come -> sending, leased to this owner until nowMs+leaseMs.
  Result<std::vector<OutboxRow>> leasePending(std::int64_t nowMs, int limit, std::int64_t leaseMs);
  // unconfirmed rows whose next_at has come and whose lease is free -> leased for a lookup.
  Result<std::vector<OutboxRow>> leaseUnconfirmed(std::int64_t nowMs, int limit, std::int64_t leaseMs);

  // "sending" rows whose lease expired (all of them when `all`, at the start of the only
  // node) -> unconfirmed, due for a lookup at nowMs. Returns how many.
  Result<int> recover(std::int64_t nowMs, bool all);

  // Each is one transaction; false when this owner no longer holds the row (another node
  // recovered it after the lease expired): the caller then drops its result.
  Result<bool> markPosted(const OutboxRow& row, const std::string& remoteId, const nlohmann::json& progress,
                          std::int64_t nowMs);
  Result<bool> markRetry(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                         const nlohmann::json& progress, std::int64_t nowMs);
  Result<bool> markFailed(const OutboxRow& row, const std::string& error, const nlohmann::json& progress,
                          std::int64_t nowMs);
  Result<bool> markUnconfirmed(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                               const nlohmann::json& progress, std::int64_t nowMs, bool countLookup);

  static std::string idempotencyKey(std::int64_t scheduleId, std::int64_t itemId, std::int64_t accountId,
                                    std::int64_t dueAt);

 private:
  Result<std::vector<OutboxRow>> lease(std::int64_t nowMs, int limit, std::int64_t leaseMs, bool unconfirmed);
  Result<bool> finish(const OutboxRow& row, const std::string& outboxState, const std::string& scheduleState,
                      std::int64_t nextAtMs, const std::string& remoteId, const std::string& error,
                      const nlohmann::json& progress, std::int64_t nowMs, bool releasePair, bool countLookup);

  sql::Database& db_;
  ContentSource& content_;
  std::string owner_;
};

}  // namespace hub::cms::schedule
