// cms/schedule/outbox.cpp
#include "cms/schedule/outbox.h"

#include <set>

#include "core/log/log.h"
#include "core/sql/errors.h"

namespace hub::cms::schedule {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("cms.schedule");
  return log;
}

std::string lockClause(const sql::Executor& ex) {
  return ex.backend() == "mysql" ? " FOR UPDATE SKIP LOCKED" : "";
}

std::string clip(const std::string& s) { return s.size() > 1000 ? s.substr(0, 1000) : s; }

constexpr const char* kRowColumns =
    "SELECT o.id, o.schedule_id, o.item_id, o.account_id, o.idempotency_key, o.payload, o.state, o.attempts,"
    " o.lookups, o.sent_at_ms, o.progress, s.due_at FROM cms_outbox o JOIN cms_schedules s ON s.id = "
    "o.schedule_id";

OutboxRow rowFrom(const sql::Row& r) {
  OutboxRow o;
  o.id = r.getInt("id");
  o.scheduleId = r.getInt("schedule_id");
  o.itemId = r.getInt("item_id");
  o.accountId = r.getInt("account_id");
  o.dueAt = r.getInt("due_at");
  o.key = r.getString("idempotency_key");
  o.payload = nlohmann::json::parse(r.getString("payload"), nullptr, false);
  if (o.payload.is_discarded()) o.payload = nlohmann::json::object();
  o.state = r.getString("state");
  o.attempts = static_cast<int>(r.getInt("attempts"));
  o.lookups = static_cast<int>(r.getInt("lookups"));
  o.sentAtMs = r.getInt("sent_at_ms");
  o.progress = nlohmann::json::parse(r.getString("progress"), nullptr, false);
  if (o.progress.is_discarded()) o.progress = nlohmann::json::object();
  return o;
}

}  // namespace

std::string Outbox::idempotencyKey(std::int64_t scheduleId, std::int64_t itemId, std::int64_t accountId,
                                   std::int64_t dueAt) {
  return "hub-" + std::to_string(scheduleId) + "-" + std::to_string(itemId) + "-" +
         std::to_string(accountId) + "-" + std::to_string(dueAt);
}

Result<int> Outbox::claimDue(std::int64_t nowMs, int limit, std::vector<ClaimFailure>* failures) {
  int claimed = 0;
  std::vector<ClaimFailure> failed;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    claimed = 0;
    failed.clear();
    auto due = tx.query(
        "SELECT s.id, s.item_id, s.account_id, s.due_at, s.title FROM cms_schedules s WHERE s.state = "
        "'scheduled' AND "
        "s.due_at <= ? AND NOT EXISTS (SELECT 1 FROM cms_inflight f WHERE f.item_id = s.item_id AND "
        "f.account_id = s.account_id) ORDER BY s.due_at LIMIT ?" +
            lockClause(tx),
        {nowMs / 1000, limit});
    if (!due) return due.error().wrap("claim due");
    const std::int64_t nowS = nowMs / 1000;
    std::set<std::int64_t> items;  // whose targets changed; followed in id order (one lock order)
    for (const auto& r : *due) {
      std::int64_t id = r.getInt("id"), item = r.getInt("item_id"), account = r.getInt("account_id");
      // The pair's in-flight slot first: a second due row of the same pair waits its turn.
      auto slot = tx.exec("INSERT INTO cms_inflight (item_id, account_id, outbox_id) VALUES (?, ?, 0)",
                          {item, account});
      if (!slot) {
        if (slot.error().code == sql::errc::kConstraint) continue;
        return slot.error().wrap("claim in-flight slot");
      }
      auto variant = content_.variant(tx, item, account);
      if (!variant) {
        logger()->warn("[schedule={} item={} account={}] cannot publish: {}", id, item, account,
                       variant.error().message);
        if (auto x =
                tx.exec("DELETE FROM cms_inflight WHERE item_id = ? AND account_id = ?", {item, account});
            !x)
          return x.error();
        if (auto x = tx.exec("UPDATE cms_schedules SET state = 'failed', last_error = ?, updated_at = ? "
                             "WHERE id = ? AND state = "
                             "'scheduled'",
                             {clip(variant.error().message), nowS, id});
            !x)
          return x.error();
        failed.push_back(ClaimFailure{.scheduleId = id,
                                      .itemId = item,
                                      .accountId = account,
                                      .title = r.getString("title"),
                                      .code = variant.error().code,
                                      .message = variant.error().message});
        items.insert(item);
        continue;
      }
      std::string key = idempotencyKey(id, item, account, r.getInt("due_at"));
      auto ins = tx.exec(
          "INSERT INTO cms_outbox (schedule_id, item_id, account_id, idempotency_key, payload, state, "
          "attempts, lookups,"
          " next_at_ms, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, 0, ?, '{}', "
          "?, ?)",
          {id, item, account, key, variant->dump(), nowMs, nowS, nowS});
      if (!ins) return ins.error().wrap("claim outbox row");
      if (auto x = tx.exec("UPDATE cms_inflight SET outbox_id = ? WHERE item_id = ? AND account_id = ?",
                           {ins->lastInsertId, item, account});
          !x)
        return x.error();
      auto up = tx.exec(
          "UPDATE cms_schedules SET state = 'publishing', updated_at = ? WHERE id = ? AND state = "
          "'scheduled'",
          {nowS, id});
      if (!up) return up.error();
      items.insert(item);
      ++claimed;
    }
    for (std::int64_t item : items)
      if (Status moved = content_.targetsChanged(tx, item, "the scheduler claimed a due target"); !moved)
        return moved;
    return {};
  });
  if (!st) return st.error();
  if (failures) *failures = std::move(failed);
  return claimed;
}

Result<std::vector<OutboxRow>> Outbox::lease(std::int64_t nowMs, int limit, std::int64_t leaseMs,
                                             bool unconfirmed) {
  std::vector<OutboxRow> out;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    std::string where =
        unconfirmed ? " WHERE o.state = 'unconfirmed' AND o.next_at_ms <= ? AND (o.lease_until_ms IS NULL "
                      "OR o.lease_until_ms < ?)"
                    : " WHERE o.state = 'pending' AND o.next_at_ms <= ?";
    // MariaDB cannot lock rows of a join with SKIP LOCKED cleanly: pick ids on the outbox alone.
    std::string pick =
        "SELECT o.id FROM cms_outbox o" + where + " ORDER BY o.next_at_ms LIMIT ?" + lockClause(tx);
    sql::Params params = unconfirmed ? sql::Params{nowMs, nowMs, limit} : sql::Params{nowMs, limit};
    auto ids = tx.query(pick, params);
    if (!ids) return ids.error().wrap("lease outbox");
    for (const auto& idRow : *ids) {
      std::int64_t id = idRow.getInt("id");
      auto up = unconfirmed
                    ? tx.exec("UPDATE cms_outbox SET lease_owner = ?, lease_until_ms = ? WHERE id = ?",
                              {owner_, nowMs + leaseMs, id})
                    : tx.exec(
                          "UPDATE cms_outbox SET state = 'sending', attempts = attempts + 1, sent_at_ms = ?, "
                          "lease_owner = ?, lease_until_ms = ?, updated_at = ? WHERE id = ?",
                          {nowMs, owner_, nowMs + leaseMs, nowMs / 1000, id});
      if (!up) return up.error();
      auto row = tx.query(std::string(kRowColumns) + " WHERE o.id = ?", {id});
      if (!row) return row.error();
      if (!row->empty()) out.push_back(rowFrom((*row)[0]));
    }
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<std::vector<OutboxRow>> Outbox::leasePending(std::int64_t nowMs, int limit, std::int64_t leaseMs) {
  return lease(nowMs, limit, leaseMs, false);
}

Result<std::vector<OutboxRow>> Outbox::leaseUnconfirmed(std::int64_t nowMs, int limit, std::int64_t leaseMs) {
  return lease(nowMs, limit, leaseMs, true);
}

Result<int> Outbox::recover(std::int64_t nowMs, bool all) {
  int n = 0;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    auto rows =
        all ? tx.query("SELECT id, schedule_id FROM cms_outbox WHERE state = 'sending'" + lockClause(tx))
            : tx.query(
                  "SELECT id, schedule_id FROM cms_outbox WHERE state = 'sending' AND lease_until_ms < ?" +
                      lockClause(tx),
                  {nowMs});
    if (!rows) return rows.error().wrap("recover outbox");
    for (const auto& r : *rows) {
      auto a = tx.exec(
          "UPDATE cms_outbox SET state = 'unconfirmed', lease_owner = NULL, lease_until_ms = NULL, "
          "next_at_ms = ?, "
          "last_error = 'interrupted while sending', updated_at = ? WHERE id = ? AND state = 'sending'",
          {nowMs, nowMs / 1000, r.getInt("id")});
      if (!a) return a.error();
      auto b = tx.exec("UPDATE cms_schedules SET state = 'unconfirmed', updated_at = ? WHERE id = ?",
                       {nowMs / 1000, r.getInt("schedule_id")});
      if (!b) return b.error();
      n += static_cast<int>(a->affected);
    }
    return {};  // unconfirmed targets count as in flight: the items stay publishing
  });
  if (!st) return st.error();
  return n;
}

Result<bool> Outbox::finish(const OutboxRow& row, const std::string& outboxState,
                            const std::string& scheduleState, std::int64_t nextAtMs,
                            const std::string& remoteId, const std::string& error,
                            const nlohmann::json& progress, std::int64_t nowMs, bool releasePair,
                            bool countLookup) {
  bool held = false;
  const std::int64_t nowS = nowMs / 1000;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    auto a = tx.exec(
        "UPDATE cms_outbox SET state = ?, next_at_ms = ?, remote_id = ?, last_error = ?, progress = ?, "
        "lease_owner = NULL,"
        " lease_until_ms = NULL, lookups = lookups + ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND "
        "state IN "
        "('sending', 'unconfirmed')",
        {outboxState, nextAtMs, remoteId.empty() ? sql::Value() : sql::Value(remoteId),
         error.empty() ? sql::Value() : sql::Value(clip(error)), progress.dump(), countLookup ? 1 : 0, nowS,
         row.id, owner_});
    if (!a) return a.error().wrap("outbox finish");
    if (a->affected == 0) return {};  // the lease was lost: someone else owns the row now
    held = true;
    sql::Value postedAt = outboxState == "done" ? sql::Value(nowMs) : sql::Value();
    auto b = tx.exec(
        "UPDATE cms_schedules SET state = ?, remote_id = COALESCE(?, remote_id), last_error = ?, attempts = "
        "?, "
        "posted_at_ms = COALESCE(?, posted_at_ms), updated_at = ? WHERE id = ?",
        {scheduleState, remoteId.empty() ? sql::Value() : sql::Value(remoteId),
         error.empty() ? sql::Value() : sql::Value(clip(error)), row.attempts, postedAt, nowS,
         row.scheduleId});
    if (!b) return b.error();
    if (releasePair) {
      auto c = tx.exec("DELETE FROM cms_inflight WHERE item_id = ? AND account_id = ? AND outbox_id = ?",
                       {row.itemId, row.accountId, row.id});
      if (!c) return c.error();
    }
    return content_.targetsChanged(tx, row.itemId,
                                   "account " + std::to_string(row.accountId) + ": " + scheduleState +
                                       (error.empty() ? "" : " (" + clip(error) + ")"));
  });
  if (!st) return st.error();
  return held;
}

Result<bool> Outbox::markPosted(const OutboxRow& row, const std::string& remoteId,
                                const nlohmann::json& progress, std::int64_t nowMs) {
  return finish(row, "done", "published", nowMs, remoteId, "", progress, nowMs, true, false);
}

Result<bool> Outbox::markRetry(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                               const nlohmann::json& progress, std::int64_t nowMs) {
  return finish(row, "pending", "publishing", nextAtMs, "", error, progress, nowMs, false, false);
}

Result<bool> Outbox::markFailed(const OutboxRow& row, const std::string& error,
                                const nlohmann::json& progress, std::int64_t nowMs) {
  return finish(row, "failed", "failed", nowMs, "", error, progress, nowMs, true, false);
}

Result<bool> Outbox::markUnconfirmed(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                                     const nlohmann::json& progress, std::int64_t nowMs, bool countLookup) {
  return finish(row, "unconfirmed", "unconfirmed", nextAtMs, "", error, progress, nowMs, false, countLookup);
}

}  // namespace hub::cms::schedule
