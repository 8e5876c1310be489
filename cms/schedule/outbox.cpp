// cms/schedule/outbox.cpp
#include "cms/schedule/outbox.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/log/log.h"
#include "core/sql/errors.h"
#include "core/sql/marks.h"

namespace hub::cms::schedule {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("cms.schedule");
  return log;
}

std::string lockClause(const sql::Executor& ex) {
  return ex.backend() == "mysql" ? " FOR UPDATE SKIP LOCKED" : "";
}

constexpr const char* kSlotTaken = "schedule.slot_taken";

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
  bool slotEach = false;
  Status st = db_.transaction(
      [&](sql::Transaction& tx) { return claimIn(tx, nowMs, limit, slotEach, claimed, failed); });
  if (!st && st.error().code == kSlotTaken) {
    slotEach = true;
    st = db_.transaction(
        [&](sql::Transaction& tx) { return claimIn(tx, nowMs, limit, slotEach, claimed, failed); });
  }
  if (!st) return st.error();
  if (failures) *failures = std::move(failed);
  return claimed;
}

Status Outbox::claimIn(sql::Transaction& tx, std::int64_t nowMs, int limit, bool slotEach, int& claimed,
                       std::vector<ClaimFailure>& failed) {
  claimed = 0;
  failed.clear();
  auto due = tx.query(
      "SELECT s.id, s.item_id, s.account_id, s.due_at, s.title FROM cms_schedules s WHERE s.state = "
      "'scheduled' AND s.due_at <= ? AND NOT EXISTS (SELECT 1 FROM cms_inflight f WHERE f.item_id = "
      "s.item_id AND f.account_id = s.account_id) ORDER BY s.due_at, s.id LIMIT ?" +
          lockClause(tx),
      {nowMs / 1000, limit});
  if (!due) return due.error().wrap("claim due");
  if (due->empty()) return {};
  const std::int64_t nowS = nowMs / 1000;
  struct Claim {
    std::int64_t id, item, account;
    std::string key, payload;
  };
  std::vector<Claim> take;
  std::set<std::pair<std::int64_t, std::int64_t>> pairs;
  std::map<std::int64_t, std::string> items;  // whose targets changed
  std::vector<const sql::Row*> rows;
  std::vector<ContentSource::Target> targets;
  for (const auto& r : *due) {
    // One attempt per pair: a second due row of the same pair waits its turn.
    if (!pairs.insert({r.getInt("item_id"), r.getInt("account_id")}).second) continue;
    rows.push_back(&r);
    targets.emplace_back(r.getInt("item_id"), r.getInt("account_id"));
  }
  auto variants = content_.variantsMany(tx, targets);  // every row's variant in a few statements
  if (!variants) return variants.error().wrap("claim variants");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const sql::Row& r = *rows[i];
    const std::int64_t id = r.getInt("id"), item = targets[i].first, account = targets[i].second;
    auto found = variants->find(targets[i]);
    const Result<nlohmann::json> variant =
        found != variants->end()
            ? found->second
            : Result<nlohmann::json>(
                  makeError("schedule.item_not_found", "no variant for item " + std::to_string(item)));
    if (!variant) {
      logger()->warn("[schedule={} item={} account={}] cannot publish: {}", id, item, account,
                     variant.error().message);
      if (auto x = tx.exec(
              "UPDATE cms_schedules SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND "
              "state = 'scheduled'",
              {clip(variant.error().message), nowS, id});
          !x)
        return x.error();
      failed.push_back(ClaimFailure{.scheduleId = id,
                                    .itemId = item,
                                    .accountId = account,
                                    .title = r.getString("title"),
                                    .code = variant.error().code,
                                    .message = variant.error().message});
      items[item] = "a target failed before any send";
      continue;
    }
    take.push_back(Claim{.id = id,
                         .item = item,
                         .account = account,
                         .key = idempotencyKey(id, item, account, r.getInt("due_at")),
                         .payload = variant->dump()});
  }
  if (slotEach) {  // the slots first, one by one: a pair another node took is left for later
    std::vector<Claim> free;
    for (auto& c : take) {
      auto slot = tx.exec("INSERT INTO cms_inflight (item_id, account_id, outbox_id) VALUES (?, ?, 0)",
                          {c.item, c.account});
      if (slot)
        free.push_back(std::move(c));
      else if (slot.error().code != sql::errc::kConstraint)
        return slot.error().wrap("claim in-flight slot");
    }
    take = std::move(free);
  }
  if (!take.empty()) {
    std::string ins =
        "INSERT INTO cms_outbox (schedule_id, item_id, account_id, idempotency_key, payload, state, "
        "attempts, "
        "lookups, next_at_ms, progress, created_at, updated_at) VALUES ";
    sql::Params p;
    const std::string ids = sql::marks(take.size());
    sql::Params idParams;
    for (std::size_t i = 0; i < take.size(); ++i) {
      const Claim& c = take[i];
      ins += i ? ",(?, ?, ?, ?, ?, 'pending', 0, 0, ?, '{}', ?, ?)"
               : "(?, ?, ?, ?, ?, 'pending', 0, 0, ?, '{}', ?, ?)";
      p.insert(p.end(), {c.id, c.item, c.account, c.key, c.payload, nowMs, nowS, nowS});
      idParams.emplace_back(c.id);
    }
    if (auto x = tx.exec(ins, p); !x) return x.error().wrap("claim outbox rows");
    if (slotEach) {
      for (const Claim& c : take)
        if (auto x = tx.exec(
                "UPDATE cms_inflight SET outbox_id = (SELECT o.id FROM cms_outbox o WHERE o.schedule_id = ?) "
                "WHERE item_id = ? AND account_id = ?",
                {c.id, c.item, c.account});
            !x)
          return x.error();
    } else {
      // Every slot in one statement; a pair taken by another node since the selection makes
      // it fail as a whole, and the claim is made again slot by slot.
      auto slots = tx.exec(
          "INSERT INTO cms_inflight (item_id, account_id, outbox_id) SELECT item_id, account_id, id FROM "
          "cms_outbox WHERE schedule_id IN (" +
              ids + ")",
          idParams);
      if (!slots && slots.error().code == sql::errc::kConstraint)
        return makeError(kSlotTaken, "a pair was claimed by another node meanwhile");
      if (!slots) return slots.error().wrap("claim in-flight slots");
    }
    sql::Params up{nowS};
    up.insert(up.end(), idParams.begin(), idParams.end());
    auto moved = tx.exec(
        "UPDATE cms_schedules SET state = 'publishing', updated_at = ? WHERE state = 'scheduled' AND id IN "
        "(" +
            ids + ")",
        up);
    if (!moved) return moved.error();
    for (const Claim& c : take) items[c.item] = "the scheduler claimed a due target";
    claimed = static_cast<int>(take.size());
  }
  return content_.targetsChangedMany(tx, items);
}

Result<std::vector<OutboxRow>> Outbox::lease(std::int64_t nowMs, int limit, std::int64_t leaseMs,
                                             bool unconfirmed) {
  std::vector<OutboxRow> out;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    out.clear();
    std::string where =
        unconfirmed ? " WHERE o.state = 'unconfirmed' AND o.next_at_ms <= ? AND (o.lease_until_ms IS NULL "
                      "OR o.lease_until_ms < ?)"
                    : " WHERE o.state = 'pending' AND o.next_at_ms <= ?";
    // MariaDB cannot lock rows of a join with SKIP LOCKED cleanly: pick ids on the outbox alone.
    std::string pick =
        "SELECT o.id FROM cms_outbox o" + where + " ORDER BY o.next_at_ms LIMIT ?" + lockClause(tx);
    sql::Params params = unconfirmed ? sql::Params{nowMs, nowMs, limit} : sql::Params{nowMs, limit};
    auto picked = tx.query(pick, params);
    if (!picked) return picked.error().wrap("lease outbox");
    if (picked->empty()) return {};
    sql::Params idParams;
    for (const auto& r : *picked) idParams.emplace_back(r.getInt("id"));
    const std::string ids = sql::marks(idParams.size());
    sql::Params p = unconfirmed ? sql::Params{owner_, nowMs + leaseMs}
                                : sql::Params{nowMs, owner_, nowMs + leaseMs, nowMs / 1000};
    p.insert(p.end(), idParams.begin(), idParams.end());
    auto up =
        unconfirmed
            ? tx.exec("UPDATE cms_outbox SET lease_owner = ?, lease_until_ms = ? WHERE id IN (" + ids + ")",
                      p)
            : tx.exec(
                  "UPDATE cms_outbox SET state = 'sending', attempts = attempts + 1, sent_at_ms = ?, "
                  "lease_owner = ?, lease_until_ms = ?, updated_at = ? WHERE id IN (" +
                      ids + ")",
                  p);
    if (!up) return up.error();
    auto rows = tx.query(
        std::string(kRowColumns) + " WHERE o.id IN (" + ids + ") ORDER BY o.next_at_ms, o.id", idParams);
    if (!rows) return rows.error();
    for (const auto& r : *rows) out.push_back(rowFrom(r));
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
    // The only node: lookups a dead process had leased are free at once, not when their lease
    // expires (they would wait up to `lease` before anyone asks the platform again).
    if (all)
      if (auto f = tx.exec("UPDATE cms_outbox SET lease_owner = NULL, lease_until_ms = NULL WHERE "
                           "state = 'unconfirmed' AND lease_owner IS NOT NULL");
          !f)
        return f.error();
    return {};  // unconfirmed targets count as in flight: the items stay publishing
  });
  if (!st) return st.error();
  return n;
}

// Outcomes are stored by set-based statements over chunks of this many rows.
constexpr std::size_t kSettleChunk = 100;

Result<std::vector<bool>> Outbox::settle(const std::vector<Settlement>& outcomes) {
  std::vector<bool> held;
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    held.assign(outcomes.size(), false);
    std::map<std::int64_t, std::string> items;
    for (std::size_t from = 0; from < outcomes.size(); from += kSettleChunk) {
      const std::size_t to = std::min(outcomes.size(), from + kSettleChunk);
      if (Status c = settleIn(tx, outcomes, from, to, held, items); !c) return c;
    }
    return content_.targetsChangedMany(tx, items);
  });
  if (!st) return st.error();
  return held;
}

Status Outbox::settleIn(sql::Transaction& tx, const std::vector<Settlement>& outcomes, std::size_t from,
                        std::size_t to, std::vector<bool>& held, std::map<std::int64_t, std::string>& items) {
  // Which rows this owner still holds (another node may have recovered a row whose lease
  // expired: that result is dropped). Locked, so nothing changes them before the updates.
  sql::Params p;
  for (std::size_t i = from; i < to; ++i) p.emplace_back(outcomes[i].row.id);
  const std::string in = sql::marks(p.size());
  p.emplace_back(owner_);
  auto still = tx.query("SELECT id FROM cms_outbox WHERE id IN (" + in +
                            ") AND lease_owner = ? AND state IN ('sending', 'unconfirmed') ORDER BY id" +
                            std::string(tx.backend() == "mysql" ? " FOR UPDATE" : ""),
                        p);
  if (!still) return still.error().wrap("outbox finish");
  std::set<std::int64_t> mine;
  for (const auto& r : *still) mine.insert(r.getInt("id"));
  std::vector<std::size_t> take;  // a row listed twice counts once, as one UPDATE each would
  for (std::size_t i = from; i < to; ++i)
    if (mine.erase(outcomes[i].row.id) > 0) take.push_back(i);
  if (take.empty()) return {};

  // One CASE per column, appended in order with its parameters: "col = CASE id WHEN ? THEN ?
  // ... END" (`wrap` puts it inside e.g. COALESCE(@, col)).
  const std::string ids = sql::marks(take.size());
  std::string stmt;
  sql::Params params;
  using Key = std::int64_t (*)(const Settlement&);
  using Get = sql::Value (*)(const Settlement&);
  auto set = [&](const char* column, Key key, Get value, std::string_view wrap = "@") {
    std::string c = "CASE id";
    for (std::size_t i : take) {
      c += " WHEN ? THEN ?";
      params.emplace_back(key(outcomes[i]));
      params.emplace_back(value(outcomes[i]));
    }
    c += " END";
    std::string w(wrap);
    w.replace(w.find('@'), 1, c);
    stmt += stmt.ends_with(" SET ") ? "" : ", ";
    stmt += std::string(column) + " = " + w;
  };
  const Key outboxId = [](const Settlement& s) { return s.row.id; };
  const Key scheduleId = [](const Settlement& s) { return s.row.scheduleId; };
  const Get remote = [](const Settlement& s) {
    return s.remoteId.empty() ? sql::Value() : sql::Value(s.remoteId);
  };
  const Get error = [](const Settlement& s) {
    return s.error.empty() ? sql::Value() : sql::Value(clip(s.error));
  };
  const Get atS = [](const Settlement& s) { return sql::Value(s.atMs / 1000); };

  stmt = "UPDATE cms_outbox SET ";
  set("state", outboxId, [](const Settlement& s) { return sql::Value(s.outboxState); });
  set("next_at_ms", outboxId, [](const Settlement& s) { return sql::Value(s.nextAtMs); });
  set("remote_id", outboxId, remote);
  set("last_error", outboxId, error);
  set("progress", outboxId, [](const Settlement& s) { return sql::Value(s.progress.dump()); });
  set(
      "lookups", outboxId, [](const Settlement& s) { return sql::Value(s.countLookup ? 1 : 0); },
      "lookups + @");
  set("updated_at", outboxId, atS);
  stmt += ", lease_owner = NULL, lease_until_ms = NULL WHERE id IN (" + ids + ")";
  for (std::size_t i : take) params.emplace_back(outcomes[i].row.id);
  if (auto x = tx.exec(stmt, params); !x) return x.error().wrap("outbox finish");

  params.clear();
  stmt = "UPDATE cms_schedules SET ";
  set("state", scheduleId, [](const Settlement& s) { return sql::Value(s.scheduleState); });
  set("remote_id", scheduleId, remote, "COALESCE(@, remote_id)");
  set("last_error", scheduleId, error);
  set("attempts", scheduleId, [](const Settlement& s) { return sql::Value(s.row.attempts); });
  set(
      "posted_at_ms", scheduleId,
      [](const Settlement& s) { return s.outboxState == "done" ? sql::Value(s.atMs) : sql::Value(); },
      "COALESCE(@, posted_at_ms)");
  set("updated_at", scheduleId, atS);
  stmt += " WHERE id IN (" + ids + ")";
  for (std::size_t i : take) params.emplace_back(outcomes[i].row.scheduleId);
  if (auto x = tx.exec(stmt, params); !x) return x.error().wrap("schedule finish");

  // The freed (item, account) slots, by primary key.
  std::string slots;
  sql::Params slotParams;
  for (std::size_t i : take) {
    const Settlement& s = outcomes[i];
    if (!s.releasePair) continue;
    slots += slotParams.empty() ? "(item_id = ? AND account_id = ? AND outbox_id = ?)"
                                : " OR (item_id = ? AND account_id = ? AND outbox_id = ?)";
    slotParams.insert(slotParams.end(), {s.row.itemId, s.row.accountId, s.row.id});
  }
  if (!slotParams.empty())
    if (auto x = tx.exec("DELETE FROM cms_inflight WHERE " + slots, slotParams); !x)
      return x.error().wrap("release in-flight slots");

  for (std::size_t i : take) {
    const Settlement& s = outcomes[i];
    held[i] = true;
    items[s.row.itemId] = "account " + std::to_string(s.row.accountId) + ": " + s.scheduleState +
                          (s.error.empty() ? "" : " (" + clip(s.error) + ")");
  }
  return {};
}

Result<bool> Outbox::settleOne(Settlement s) {
  auto held = settle({std::move(s)});
  if (!held) return held.error();
  return static_cast<bool>(held->front());
}

std::vector<Result<bool>> Outbox::settleAll(const std::vector<Settlement>& outcomes) {
  auto held = settle(outcomes);
  for (int again = 0; again < 2 && !held && held.error().code == sql::errc::kBusy; ++again)
    held = settle(outcomes);
  std::vector<Result<bool>> out;
  out.reserve(outcomes.size());
  if (held) {
    for (bool h : *held) out.emplace_back(h);
    return out;
  }
  logger()->warn("storing {} outcomes together failed ({}); storing them one by one", outcomes.size(),
                 held.error().message);
  for (const auto& s : outcomes) out.push_back(settleOne(s));
  return out;
}

Result<bool> Outbox::markPosted(const OutboxRow& row, const std::string& remoteId,
                                const nlohmann::json& progress, std::int64_t nowMs) {
  return settleOne({.row = row,
                    .outboxState = "done",
                    .scheduleState = "published",
                    .nextAtMs = nowMs,
                    .remoteId = remoteId,
                    .error = "",
                    .progress = progress,
                    .atMs = nowMs,
                    .releasePair = true,
                    .countLookup = false});
}

Result<bool> Outbox::markRetry(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                               const nlohmann::json& progress, std::int64_t nowMs) {
  return settleOne({.row = row,
                    .outboxState = "pending",
                    .scheduleState = "publishing",
                    .nextAtMs = nextAtMs,
                    .remoteId = "",
                    .error = error,
                    .progress = progress,
                    .atMs = nowMs,
                    .releasePair = false,
                    .countLookup = false});
}

Result<bool> Outbox::markFailed(const OutboxRow& row, const std::string& error,
                                const nlohmann::json& progress, std::int64_t nowMs) {
  return settleOne({.row = row,
                    .outboxState = "failed",
                    .scheduleState = "failed",
                    .nextAtMs = nowMs,
                    .remoteId = "",
                    .error = error,
                    .progress = progress,
                    .atMs = nowMs,
                    .releasePair = true,
                    .countLookup = false});
}

Result<bool> Outbox::markUnconfirmed(const OutboxRow& row, std::int64_t nextAtMs, const std::string& error,
                                     const nlohmann::json& progress, std::int64_t nowMs, bool countLookup) {
  return settleOne({.row = row,
                    .outboxState = "unconfirmed",
                    .scheduleState = "unconfirmed",
                    .nextAtMs = nextAtMs,
                    .remoteId = "",
                    .error = error,
                    .progress = progress,
                    .atMs = nowMs,
                    .releasePair = false,
                    .countLookup = countLookup});
}

}  // namespace hub::cms::schedule
