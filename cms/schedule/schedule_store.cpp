// cms/schedule/schedule_store.cpp
#include "cms/schedule/schedule_store.h"

#include <algorithm>
#include <set>

#include "cms/api/calendar_day.h"
#include "cms/api/time.h"
#include "core/sql/errors.h"
#include "core/sql/marks.h"

namespace hub::cms::schedule {
namespace {

constexpr const char* kColumns =
    "SELECT s.id, s.org_id, s.item_id, s.account_id, s.platform, s.title, s.account_name, s.due_at, s.state,"
    " s.recurrence_id, s.remote_id, s.last_error, s.attempts, s.posted_at_ms FROM cms_schedules s";

ScheduleRow fromRow(const sql::Row& r) {
  ScheduleRow s;
  s.id = r.getInt("id");
  s.orgId = r.getInt("org_id");
  s.itemId = r.getInt("item_id");
  s.accountId = r.getInt("account_id");
  s.platform = r.getString("platform");
  s.title = r.getString("title");
  s.accountName = r.getString("account_name");
  s.dueAt = r.getInt("due_at");
  s.state = r.getString("state");
  if (!r.isNull("recurrence_id")) s.recurrenceId = r.getInt("recurrence_id");
  s.remoteId = r.getString("remote_id");
  s.lastError = r.getString("last_error");
  s.attempts = static_cast<int>(r.getInt("attempts"));
  s.postedAtMs = r.getInt("posted_at_ms");
  return s;
}

Error validation() { return makeError("validation", "the schedule is not valid"); }

}  // namespace

nlohmann::json toJson(const ScheduleRow& r) {
  nlohmann::json j = {{"id", r.id},
                      {"org_id", r.orgId},
                      {"item_id", r.itemId},
                      {"account_id", r.accountId},
                      {"platform", r.platform},
                      {"title", r.title},
                      {"account_name", r.accountName},
                      {"at", formatTime(r.dueAt)},
                      {"state", r.state},
                      {"attempts", r.attempts}};
  j["recurrence_id"] = r.recurrenceId ? nlohmann::json(*r.recurrenceId) : nlohmann::json();
  if (!r.remoteId.empty()) j["remote_id"] = r.remoteId;
  if (!r.lastError.empty()) j["last_error"] = r.lastError;
  if (r.postedAtMs != 0) j["posted_at"] = formatTime(r.postedAtMs / 1000);
  return j;
}

Status ScheduleStore::checkDailyLimit(sql::Executor& tx, const AccountInfo& account,
                                      const std::vector<std::int64_t>& times,
                                      std::optional<std::int64_t> excludeId, FieldErrors& fields,
                                      const std::string& field) {
  int perDay = postsPerDay_ ? postsPerDay_(account) : 0;
  if (perDay <= 0) return {};
  std::map<std::int64_t, int> wanted;  // Shanghai day -> new posts
  for (auto t : times) ++wanted[shanghaiDay(t)];
  for (const auto& [day, n] : wanted) {
    std::int64_t start = day * 86400 - kShanghaiOffsetSeconds;
    auto have = tx.query(
        "SELECT COUNT(*) AS n FROM cms_schedules WHERE account_id = ? AND due_at >= ? AND due_at < ? AND "
        "state NOT IN "
        "('canceled', 'failed') AND id <> ?",
        {account.id, start, start + 86400, excludeId.value_or(0)});
    if (!have) return have.error();
    std::int64_t existing = (*have)[0].getInt("n");
    if (existing + n > perDay) {
      fields[field] = "account " + std::to_string(account.id) + " (" + account.platform + ") allows " +
                      std::to_string(perDay) + " post(s) per day; " + formatTime(start).substr(0, 10) +
                      " would have " + std::to_string(existing + n);
      return {};
    }
  }
  return {};
}

Result<std::vector<ScheduleRow>> ScheduleStore::create(sql::Executor& tx, std::int64_t actorId,
                                                       const NewSchedule& req, const MayPublish& mayPublish,
                                                       FieldErrors& fields) {
  const std::int64_t now = nowSeconds(clock_);
  auto item = content_.item(tx, req.itemId);
  if (!item) return item.error();
  if (req.accountIds.empty()) fields["account_ids"] = "at least one account";
  if (req.times.empty()) fields["times"] = "at least one time";
  std::vector<std::int64_t> times;
  for (std::size_t i = 0; i < req.times.size(); ++i) {
    if (req.times[i] <= now) fields["times[" + std::to_string(i) + "]"] = "is in the past";
    times.push_back(req.times[i]);
  }
  if (req.recurrence && !req.times.empty()) {
    if (req.times.size() != 1) fields["times"] = "a recurring post takes exactly one first time";
    auto occurrences = expand(*req.recurrence, limits_.maxOccurrences);
    if (!occurrences)
      fields["recurrence"] = occurrences.error().message;
    else
      times = *occurrences;
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::vector<AccountInfo> accounts;
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < req.accountIds.size(); ++i) {
    if (!seen.insert(req.accountIds[i]).second) continue;
    std::string field = "account_ids[" + std::to_string(i) + "]";
    auto a = accounts_.account(tx, req.accountIds[i]);
    if (!a) {
      if (a.error().code != "schedule.account_not_found") return a.error();
      fields[field] = "no such account";
    } else if (!mayPublish(a->orgId)) {
      fields[field] = "no such account";  // outside the caller's organisations: not even its existence
    } else if (!a->active) {
      fields[field] = "the account is not active";
    } else {
      accounts.push_back(*a);
    }
  }
  if (times.size() * std::max<std::size_t>(accounts.size(), 1) > limits_.maxOccurrences)
    fields["times"] = "more than " + std::to_string(limits_.maxOccurrences) + " posts in one request";
  if (!fields.empty()) return validation();
  for (std::size_t i = 0; i < accounts.size(); ++i)
    if (Status st = checkDailyLimit(tx, accounts[i], times, std::nullopt, fields,
                                    "account_ids[" + std::to_string(i) + "]");
        !st)
      return st.error();
  if (!fields.empty()) return validation();

  std::optional<std::int64_t> recurrenceId;
  if (req.recurrence) {
    auto ins = tx.insert(
        "INSERT INTO cms_recurrences (org_id, item_id, rule, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        {item->orgId, req.itemId, recurrenceJson(*req.recurrence).dump(), actorId, now});
    if (!ins) return ins.error();
    recurrenceId = ins->lastInsertId;
  }
  std::vector<ScheduleRow> out;
  for (const auto& a : accounts) {
    for (auto t : times) {
      auto ins = tx.insert(
          "INSERT INTO cms_schedules (org_id, item_id, account_id, platform, title, account_name, due_at, "
          "state,"
          " recurrence_id, attempts, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
          "'scheduled', ?, 0,"
          " ?, ?, ?)",
          {a.orgId, req.itemId, a.id, a.platform, item->title, a.name, t, recurrenceId, actorId, now, now});
      if (!ins) {
        if (ins.error().code == sql::errc::kConstraint) {
          fields["times"] = "item " + std::to_string(req.itemId) + " is already scheduled to account " +
                            std::to_string(a.id) + " at " + formatTime(t);
          return validation();
        }
        return ins.error();
      }
      ScheduleRow r;
      r.id = ins->lastInsertId;
      r.orgId = a.orgId;
      r.itemId = req.itemId;
      r.accountId = a.id;
      r.platform = a.platform;
      r.title = item->title;
      r.accountName = a.name;
      r.dueAt = t;
      r.state = "scheduled";
      r.recurrenceId = recurrenceId;
      out.push_back(std::move(r));
    }
  }
  return out;
}

Result<ScheduleRow> ScheduleStore::get(sql::Executor& db, std::int64_t id) {
  auto rows = db.query(std::string(kColumns) + " WHERE s.id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return makeError("schedule.not_found", "no schedule " + std::to_string(id));
  return fromRow((*rows)[0]);
}

Result<std::vector<ScheduleRow>> ScheduleStore::forItem(sql::Executor& db, std::int64_t itemId) {
  auto rows = db.query(std::string(kColumns) + " WHERE s.item_id = ? ORDER BY s.due_at, s.id", {itemId});
  if (!rows) return rows.error();
  std::vector<ScheduleRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(fromRow(r));
  return out;
}

Result<ScheduleRow> ScheduleStore::cancel(sql::Executor& tx, std::int64_t id) {
  auto up = tx.exec(
      "UPDATE cms_schedules SET state = 'canceled', updated_at = ? WHERE id = ? AND state = 'scheduled'",
      {nowSeconds(clock_), id});
  if (!up) return up.error();
  auto row = get(tx, id);
  if (!row) return row.error();
  if (up->affected == 0)
    return makeError("schedule.not_scheduled", "the post is " + row->state + ", not scheduled");
  if (Status st = content_.targetsChanged(tx, row->itemId, "a target was cancelled"); !st) return st.error();
  return row;
}

Result<ScheduleRow> ScheduleStore::reschedule(sql::Executor& tx, std::int64_t id, std::int64_t newTime,
                                              FieldErrors& fields) {
  auto row = get(tx, id);
  if (!row) return row.error();
  if (row->state != "scheduled")
    return makeError("schedule.not_scheduled", "the post is " + row->state + ", not scheduled");
  if (newTime <= nowSeconds(clock_)) {
    fields["at"] = "is in the past";
    return validation();
  }
  auto account = accounts_.account(tx, row->accountId);
  if (!account) return account.error();
  if (Status st = checkDailyLimit(tx, *account, {newTime}, id, fields, "at"); !st) return st.error();
  if (!fields.empty()) return validation();
  auto up =
      tx.exec("UPDATE cms_schedules SET due_at = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
              {newTime, nowSeconds(clock_), id});
  if (!up) {
    if (up.error().code == sql::errc::kConstraint) {
      fields["at"] = "the item is already scheduled to this account at that time";
      return validation();
    }
    return up.error();
  }
  if (up->affected == 0) return makeError("schedule.not_scheduled", "the post is no longer scheduled");
  row->dueAt = newTime;
  return row;
}

Result<int> ScheduleStore::cancelRecurrence(sql::Executor& tx, std::int64_t recurrenceId) {
  auto up = tx.exec(
      "UPDATE cms_schedules SET state = 'canceled', updated_at = ? WHERE recurrence_id = ? AND state = "
      "'scheduled'",
      {nowSeconds(clock_), recurrenceId});
  if (!up) return up.error();
  auto item = tx.query("SELECT item_id FROM cms_recurrences WHERE id = ?", {recurrenceId});
  if (!item) return item.error();
  if (!item->empty())
    if (Status st = content_.targetsChanged(tx, (*item)[0].getInt("item_id"), "a recurrence was cancelled");
        !st)
      return st.error();
  return static_cast<int>(up->affected);
}

Result<std::vector<ScheduleRow>> ScheduleStore::calendar(sql::Executor& db, const CalendarQuery& q) {
  if (q.visiblePaths.empty()) return std::vector<ScheduleRow>{};
  // The organisations the caller may see (and asked for) first, from the small org table: no
  // filter at all when that is every organisation, else an id list. Joining the orgs instead
  // lets the planner start from them and sort the whole range.
  std::string orgSql = "SELECT id, (SELECT COUNT(*) FROM cms_orgs) AS total FROM cms_orgs WHERE (";
  sql::Params orgParams;
  for (std::size_t i = 0; i < q.visiblePaths.size(); ++i) {
    orgSql += i ? " OR path LIKE ?" : "path LIKE ?";
    orgParams.emplace_back(q.visiblePaths[i]);
  }
  orgSql += ")";
  if (q.orgPath) {
    orgSql += " AND path LIKE ?";
    orgParams.emplace_back(*q.orgPath + "%");
  }
  auto orgs = db.query(orgSql, orgParams);
  if (!orgs) return orgs.error();
  if (orgs->empty()) return std::vector<ScheduleRow>{};
  const bool everyOrg = static_cast<std::int64_t>(orgs->size()) == (*orgs)[0].getInt("total");

  std::string sql = std::string(kColumns) + " WHERE s.due_at >= ? AND s.due_at < ?";
  sql::Params p{q.after ? std::max(q.from, q.after->first) : q.from, q.to};
  if (q.after) {
    sql += " AND (s.due_at > ? OR s.id > ?)";
    p.insert(p.end(), {q.after->first, q.after->second});
  }
  if (!everyOrg) {
    sql += " AND s.org_id IN (" + sql::marks(orgs->size()) + ")";
    for (const auto& o : *orgs) p.emplace_back(o.getInt("id"));
  }
  if (q.platform) {
    sql += " AND s.platform = ?";
    p.emplace_back(*q.platform);
  }
  if (q.accountId) {
    sql += " AND s.account_id = ?";
    p.emplace_back(*q.accountId);
  }
  if (q.groupId) {
    sql += " AND s.account_id IN (SELECT g.account_id FROM cms_account_group_members g WHERE g.group_id = ?)";
    p.emplace_back(*q.groupId);
  }
  if (q.state) {
    sql += " AND s.state = ?";
    p.emplace_back(*q.state);
  }
  sql += " ORDER BY s.due_at, s.id LIMIT ?";
  p.emplace_back(std::clamp(q.limit, 1, limits_.maxPage));
  auto rows = db.query(sql, p);
  if (!rows) return rows.error();
  std::vector<ScheduleRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(fromRow(r));
  return out;
}

}  // namespace hub::cms::schedule
