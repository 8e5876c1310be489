// cms/schedule/outbox.h
//
// The SQL half of publishing (architecture data flow 3). claimDue() moves due schedule rows
// from "scheduled" to "publishing" and writes their outbox rows IN THE SAME TRANSACTION, with a
// cms_inflight row per (item, account) whose primary key lets only one attempt per pair be in
// flight on any node. Claims are set-based and short (one selection, every row's variant read
// together through ContentSource::variantsMany, multi-row inserts, one UPDATE, the items'
// states followed together); nothing is sent inside them. Senders then
// lease outbox rows (pending -> sending, with an owner and an expiry; also set-based) and
// report outcomes through settle(), one transaction for a batch of outcomes that also moves
// their schedule rows. A row left "sending" by a process that died becomes "unconfirmed"
// (recover()), and unconfirmed rows are leased for lookups the same way. MariaDB: the row
// selections use FOR UPDATE SKIP LOCKED, so several cms nodes share the work; SQLite has one
// writer.
//
// Outbox states: pending -> sending -> done | pending (retry) | failed | unconfirmed;
// unconfirmed -> done | pending (the platform said it never arrived) | failed.
// Times here are epoch milliseconds (wall clock), except the schedule's due_at (seconds).
#pragma once

#include <cstdint>
#include <map>
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

// One outcome to store: the outbox row's and the schedule row's new states.
struct Settlement {
  OutboxRow row;
  std::string outboxState;    // done, pending (retry), failed, unconfirmed
  std::string scheduleState;  // published, publishing, failed, unconfirmed
  std::int64_t nextAtMs = 0;
  std::string remoteId;
  std::string error;
  nlohmann::json progress = nlohmann::json::object();
  std::int64_t atMs = 0;     // when the outcome was known (posted_at_ms of a published row)
  bool releasePair = false;  // the (item, account) slot is free again
  bool countLookup = false;
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
  // node) -> unconfirmed, due for a lookup at nowMs. Returns how many. With `all`, unconfirmed
  // rows a dead process had leased for a lookup are freed too.
  Result<int> recover(std::int64_t nowMs, bool all);

  // Stores outcomes in ONE transaction, per chunk of up to 100: one locked selection of the
  // rows this owner still holds, one CASE update each for the outbox and the schedule rows, one
  // delete of the freed in-flight slots; the items' states followed once per item at the end.
  // Per outcome: false when this owner no longer holds the row (another node recovered it after
  // the lease expired): the caller then drops that result. A row listed twice is stored once.
  Result<std::vector<bool>> settle(const std::vector<Settlement>& outcomes);
  Result<bool> settleOne(Settlement outcome);
  // settle(), tried again together (twice) when it lost a deadlock or a lock wait ("sql.busy":
  // the whole transaction was rolled back), then one outcome per transaction, so one bad row
  // loses none of the others. One answer per outcome, as settleOne() gives it.
  std::vector<Result<bool>> settleAll(const std::vector<Settlement>& outcomes);

  // One outcome each, in a transaction of its own; false as for settle().
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
  // The claim's statements; `slotEach`: the in-flight slots one statement each (after a
  // multi-row attempt met a slot another node took meanwhile).
  Status claimIn(sql::Transaction& tx, std::int64_t nowMs, int limit, bool slotEach, int& claimed,
                 std::vector<ClaimFailure>& failed);
  // settle()'s statements for outcomes [from, to): marks `held`, adds the items whose state follows.
  Status settleIn(sql::Transaction& tx, const std::vector<Settlement>& outcomes, std::size_t from,
                  std::size_t to, std::vector<bool>& held, std::map<std::int64_t, std::string>& items);

  sql::Database& db_;
  ContentSource& content_;
  std::string owner_;
};

}  // namespace hub::cms::schedule
