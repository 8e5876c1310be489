// cms/audit/audit_log.cpp
//
// The cms_audit table: written beside each mutation, read by GET /api/v1/audit.
#include "cms/audit/audit_log.h"

#include <chrono>

namespace hub::cms::audit {
namespace {

std::string dump(const Json& j) { return j.is_null() ? std::string() : j.dump(); }

Json load(const std::string& text) {
  if (text.empty()) return nullptr;
  return Json::parse(text, nullptr, false);
}

}  // namespace

std::vector<sql::Migration> migrations() {
  const std::string columns =
      " at BIGINT NOT NULL, actor_id BIGINT NOT NULL, actor_name VARCHAR(100) NOT NULL,"
      " peer VARCHAR(64) NOT NULL, action VARCHAR(64) NOT NULL, object_type VARCHAR(32) NOT NULL,"
      " object_id VARCHAR(64) NOT NULL, before_json MEDIUMTEXT NULL, after_json MEDIUMTEXT NULL)";
  const std::string indexes =
      ";CREATE INDEX cms_audit_at ON cms_audit (at);"
      "CREATE INDEX cms_audit_actor ON cms_audit (actor_id, id);"
      "CREATE INDEX cms_audit_object ON cms_audit (object_type, object_id, id);"
      "CREATE INDEX cms_audit_action ON cms_audit (action, id);";
  sql::Migration m;
  m.component = "cms.audit";
  m.version = 1;
  m.name = "audit log";
  m.sqlite = "CREATE TABLE cms_audit (id INTEGER PRIMARY KEY AUTOINCREMENT," + columns + indexes;
  m.mysql = "CREATE TABLE cms_audit (id BIGINT AUTO_INCREMENT PRIMARY KEY," + columns +
            " DEFAULT CHARSET=utf8mb4" + indexes;
  return {m};
}

Status AuditLog::record(sql::Executor& db, const auth::Actor& actor, std::string_view action,
                        std::string_view objectType, std::string objectId, const Json& before,
                        const Json& after) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  auto bj = dump(before);
  auto aj = dump(after);
  auto r = db.exec(
      "INSERT INTO cms_audit (at, actor_id, actor_name, peer, action, object_type, object_id, before_json,"
      " after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {now, actor.userId, actor.username.substr(0, 100), actor.peer.substr(0, 64), std::string(action),
       std::string(objectType), objectId.substr(0, 64), bj.empty() ? sql::Value() : sql::Value(bj),
       aj.empty() ? sql::Value() : sql::Value(aj)});
  if (!r) return r.error().wrap("audit");
  return {};
}

Status AuditLog::recordMany(sql::Executor& db, const std::vector<Record>& records) const {
  if (records.empty()) return {};
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
  std::string sql =
      "INSERT INTO cms_audit (at, actor_id, actor_name, peer, action, object_type, object_id, before_json,"
      " after_json) VALUES ";
  sql::Params params;
  params.reserve(records.size() * 9);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    sql += i ? ",(?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    auto bj = dump(r.before);
    auto aj = dump(r.after);
    params.emplace_back(now);
    params.emplace_back(r.actor.userId);
    params.emplace_back(r.actor.username.substr(0, 100));
    params.emplace_back(r.actor.peer.substr(0, 64));
    params.emplace_back(r.action);
    params.emplace_back(r.objectType);
    params.emplace_back(r.objectId.substr(0, 64));
    params.push_back(bj.empty() ? sql::Value() : sql::Value(bj));
    params.push_back(aj.empty() ? sql::Value() : sql::Value(aj));
  }
  auto r = db.exec(sql, params);
  if (!r) return r.error().wrap("audit");
  return {};
}

Result<std::vector<Entry>> AuditLog::query(sql::Executor& db, const Query& q) const {
  std::string sql =
      "SELECT id, at, actor_id, actor_name, peer, action, object_type, object_id, before_json, after_json"
      " FROM cms_audit WHERE 1 = 1";
  sql::Params params;
  if (q.actorId) {
    sql += " AND actor_id = ?";
    params.emplace_back(*q.actorId);
  }
  if (!q.action.empty()) {
    if (q.action.back() == '.') {
      sql += " AND action LIKE ?";
      params.emplace_back(q.action + "%");
    } else {
      sql += " AND action = ?";
      params.emplace_back(q.action);
    }
  }
  if (!q.objectType.empty()) {
    sql += " AND object_type = ?";
    params.emplace_back(q.objectType);
  }
  if (!q.objectId.empty()) {
    sql += " AND object_id = ?";
    params.emplace_back(q.objectId);
  }
  if (q.from) {
    sql += " AND at >= ?";
    params.emplace_back(*q.from);
  }
  if (q.to) {
    sql += " AND at < ?";
    params.emplace_back(*q.to);
  }
  if (q.beforeId > 0) {
    sql += " AND id < ?";
    params.emplace_back(q.beforeId);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(q.limit);
  auto rows = db.query(sql, params);
  if (!rows) return rows.error().wrap("audit query");
  std::vector<Entry> out;
  for (const auto& row : *rows) {
    Entry e;
    e.id = row.getInt("id");
    e.at = row.getInt("at");
    e.actorId = row.getInt("actor_id");
    e.actorName = row.getString("actor_name");
    e.peer = row.getString("peer");
    e.action = row.getString("action");
    e.objectType = row.getString("object_type");
    e.objectId = row.getString("object_id");
    e.before = load(row.getString("before_json"));
    e.after = load(row.getString("after_json"));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace hub::cms::audit
