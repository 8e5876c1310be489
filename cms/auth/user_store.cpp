// cms/auth/user_store.cpp
//
// The cms.auth schema and the users and grants tables.
#include "cms/auth/user_store.h"

#include <algorithm>
#include <chrono>

#include "cms/auth/password.h"
#include "core/sql/errors.h"

namespace hub::cms::auth {
namespace {

User userFrom(const sql::Row& row) {
  User u;
  u.id = row.getInt("id");
  u.username = row.getString("username");
  u.displayName = row.getString("display_name");
  u.orgId = row.getInt("org_id");
  u.disabled = row.getInt("disabled") != 0;
  u.createdAt = row.getInt("created_at");
  u.updatedAt = row.getInt("updated_at");
  return u;
}

constexpr const char* kUserColumns =
    "u.id, u.username, u.display_name, u.org_id, u.disabled, u.created_at, u.updated_at";

}  // namespace

std::vector<sql::Migration> migrations() {
  auto script = [](const std::string& autoId, const std::string& tail) {
    return "CREATE TABLE cms_users (id " + autoId +
           ", username VARCHAR(64) NOT NULL UNIQUE,"
           " display_name VARCHAR(100) NOT NULL, password_hash VARCHAR(255) NOT NULL,"
           " org_id BIGINT NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,"
           " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)" +
           tail +
           ";"
           "CREATE INDEX cms_users_org ON cms_users (org_id);"
           "CREATE TABLE cms_grants (user_id BIGINT NOT NULL, role VARCHAR(16) NOT NULL,"
           " org_id BIGINT NOT NULL, PRIMARY KEY (user_id, role, org_id))" +
           tail +
           ";"
           "CREATE INDEX cms_grants_org ON cms_grants (org_id);"
           "CREATE TABLE cms_sessions (id " +
           autoId +
           ", token_hash CHAR(64) NOT NULL UNIQUE,"
           " user_id BIGINT NOT NULL, csrf VARCHAR(64) NOT NULL, via_token INTEGER NOT NULL DEFAULT 0,"
           " name VARCHAR(100) NOT NULL DEFAULT '', created_at BIGINT NOT NULL,"
           " last_seen_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, peer VARCHAR(64) NOT NULL,"
           " user_agent VARCHAR(200) NOT NULL, revoked_at BIGINT NULL)" +
           tail +
           ";"
           "CREATE INDEX cms_sessions_user ON cms_sessions (user_id, id);";
  };
  sql::Migration m;
  m.component = "cms.auth";
  m.version = 1;
  m.name = "users, grants, sessions and API tokens";
  m.sqlite = script("INTEGER PRIMARY KEY AUTOINCREMENT", "");
  m.mysql = script("BIGINT AUTO_INCREMENT PRIMARY KEY", " DEFAULT CHARSET=utf8mb4");
  return {m};
}

Json User::toJson() const {
  return Json{{"id", id},
              {"username", username},
              {"display_name", displayName},
              {"org_id", orgId},
              {"disabled", disabled},
              {"created_at", createdAt},
              {"updated_at", updatedAt},
              {"grants", UserStore::grantsJson(grants)}};
}

Json UserStore::grantsJson(const std::vector<Grant>& grants) {
  Json out = Json::array();
  for (const auto& g : grants) out.push_back({{"role", roleName(g.role)}, {"org_id", g.orgId}});
  return out;
}

std::int64_t UserStore::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
}

Result<std::string> UserStore::normalizeUsername(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return makeError("auth.bad_username", "a username is 1 to 64 characters");
  std::string out;
  for (char c : name) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
    if (!ok) return makeError("auth.bad_username", "a username may hold a-z, 0-9, '.', '_' and '-' only");
    out += l;
  }
  return out;
}

Result<User> UserStore::create(sql::Executor& tx, const NewUser& nu) {
  auto name = normalizeUsername(nu.username);
  if (!name) return name.error();
  auto hash = hashPassword(nu.password);
  if (!hash) return hash.error();
  User u;
  u.username = *name;
  u.displayName = nu.displayName.empty() ? *name : nu.displayName.substr(0, 100);
  u.orgId = nu.orgId;
  u.createdAt = u.updatedAt = now();
  auto r = tx.insert(
      "INSERT INTO cms_users (username, display_name, password_hash, org_id, disabled, created_at, "
      "updated_at)"
      " VALUES (?, ?, ?, ?, 0, ?, ?)",
      {u.username, u.displayName, *hash, u.orgId, u.createdAt, u.updatedAt});
  if (!r) {
    if (r.error().code == sql::errc::kConstraint)
      return makeError("user.exists", "a user named " + u.username + " already exists");
    return r.error().wrap("create user");
  }
  u.id = r->lastInsertId;
  if (auto st = setGrants(tx, u.id, nu.grants); !st) return st.error();
  u.grants = nu.grants;
  return u;
}

Result<std::optional<User>> UserStore::find(sql::Executor& db, std::int64_t id) {
  auto rows = db.query(std::string("SELECT ") + kUserColumns + " FROM cms_users u WHERE u.id = ?", {id});
  if (!rows) return rows.error().wrap("find user");
  if (rows->empty()) return std::optional<User>();
  User u = userFrom((*rows)[0]);
  auto g = grants(db, u.id);
  if (!g) return g.error();
  u.grants = std::move(*g);
  return std::optional<User>(std::move(u));
}

Result<std::optional<User>> UserStore::findByName(sql::Executor& db, std::string_view username) {
  auto name = normalizeUsername(username);
  if (!name) return std::optional<User>();
  auto rows =
      db.query(std::string("SELECT ") + kUserColumns + " FROM cms_users u WHERE u.username = ?", {*name});
  if (!rows) return rows.error().wrap("find user");
  if (rows->empty()) return std::optional<User>();
  User u = userFrom((*rows)[0]);
  auto g = grants(db, u.id);
  if (!g) return g.error();
  u.grants = std::move(*g);
  return std::optional<User>(std::move(u));
}

Result<std::string> UserStore::passwordHash(sql::Executor& db, std::int64_t id) {
  auto rows = db.query("SELECT password_hash FROM cms_users WHERE id = ?", {id});
  if (!rows) return rows.error().wrap("password hash");
  if (rows->empty()) return std::string();
  return (*rows)[0].getString("password_hash");
}

Status UserStore::setPassword(sql::Executor& tx, std::int64_t id, std::string_view password) {
  auto hash = hashPassword(password);
  if (!hash) return hash.error();
  return setPasswordHash(tx, id, *hash);
}

Status UserStore::setPasswordHash(sql::Executor& tx, std::int64_t id, const std::string& hash) {
  auto r = tx.exec("UPDATE cms_users SET password_hash = ?, updated_at = ? WHERE id = ?", {hash, now(), id});
  if (!r) return r.error().wrap("set password");
  return {};
}

Status UserStore::setDisabled(sql::Executor& tx, std::int64_t id, bool disabled) {
  auto r = tx.exec("UPDATE cms_users SET disabled = ?, updated_at = ? WHERE id = ?",
                   {disabled ? 1 : 0, now(), id});
  if (!r) return r.error().wrap("disable user");
  return {};
}

Status UserStore::update(sql::Executor& tx, std::int64_t id, const std::string& displayName,
                         std::int64_t orgId) {
  auto r = tx.exec("UPDATE cms_users SET display_name = ?, org_id = ?, updated_at = ? WHERE id = ?",
                   {displayName.substr(0, 100), orgId, now(), id});
  if (!r) return r.error().wrap("update user");
  return {};
}

Status UserStore::setGrants(sql::Executor& tx, std::int64_t id, const std::vector<Grant>& grants) {
  if (auto r = tx.exec("DELETE FROM cms_grants WHERE user_id = ?", {id}); !r) return r.error().wrap("grants");
  std::vector<Grant> seen;
  for (const auto& g : grants) {
    if (std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
    seen.push_back(g);
    auto r = tx.exec("INSERT INTO cms_grants (user_id, role, org_id) VALUES (?, ?, ?)",
                     {id, std::string(roleName(g.role)), g.orgId});
    if (!r) return r.error().wrap("grants");
  }
  return {};
}

Result<std::vector<Grant>> UserStore::grants(sql::Executor& db, std::int64_t id) {
  auto rows = db.query("SELECT role, org_id FROM cms_grants WHERE user_id = ? ORDER BY org_id, role", {id});
  if (!rows) return rows.error().wrap("grants");
  std::vector<Grant> out;
  for (const auto& row : *rows) {
    auto role = roleFromName(row.getString("role"));
    if (role) out.push_back({*role, row.getInt("org_id")});
  }
  return out;
}

Result<std::vector<User>> UserStore::list(sql::Executor& db, const std::vector<std::string>& pathPrefixes,
                                          std::int64_t afterId, int limit) {
  std::vector<User> out;
  if (pathPrefixes.empty()) return out;
  bool all = false;
  for (const auto& p : pathPrefixes) all = all || p == "/%";
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM cms_users u";
  sql::Params params;
  if (all) {
    sql += " WHERE u.id > ?";
    params.emplace_back(afterId);
  } else {
    sql += " JOIN cms_orgs o ON o.id = u.org_id WHERE u.id > ? AND (";
    params.emplace_back(afterId);
    for (std::size_t i = 0; i < pathPrefixes.size(); ++i) {
      sql += i ? " OR o.path LIKE ?" : "o.path LIKE ?";
      params.emplace_back(pathPrefixes[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY u.id LIMIT ?";
  params.emplace_back(limit);
  auto rows = db.query(sql, params);
  if (!rows) return rows.error().wrap("list users");
  for (const auto& row : *rows) {
    User u = userFrom(row);
    auto g = grants(db, u.id);
    if (!g) return g.error();
    u.grants = std::move(*g);
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::int64_t> UserStore::count(sql::Executor& db) {
  auto rows = db.query("SELECT COUNT(*) AS n FROM cms_users");
  if (!rows) return rows.error().wrap("count users");
  return (*rows)[0].getInt("n");
}

Result<std::optional<Actor>> UserStore::actor(sql::Executor& db, std::int64_t userId) {
  auto u = find(db, userId);
  if (!u) return u.error();
  if (!*u || (*u)->disabled) return std::optional<Actor>();
  Actor a;
  a.userId = (*u)->id;
  a.username = (*u)->username;
  a.displayName = (*u)->displayName;
  a.grants = std::move((*u)->grants);
  return std::optional<Actor>(std::move(a));
}

}  // namespace hub::cms::auth
