// cms/accounts/account_store.cpp
//
// SQL for accounts, groups and memberships; both dialects.
#include "cms/accounts/account_store.h"

#include "cms/content/sql_charset.h"
#include "core/sql/marks.h"

#include <map>

namespace hub::cms::accounts {
namespace {

constexpr const char* kColumns =
    "a.id, a.org_id, a.platform, a.name, a.status, a.settings, a.credentials IS NOT NULL AS has_credentials,"
    " a.created_at, a.updated_at";

Account fromRow(const sql::Row& r) {
  Account a;
  a.id = r.getInt("id");
  a.orgId = r.getInt("org_id");
  a.platform = parsePlatform(r.getString("platform")).value_or(Platform::Website);
  a.name = r.getString("name");
  a.status = r.getString("status");
  a.settings = Json::parse(r.getString("settings"), nullptr, false);
  if (a.settings.is_discarded()) a.settings = Json::object();
  a.credentialsSet = r.getInt("has_credentials") != 0;
  a.createdAt = r.getInt("created_at");
  a.updatedAt = r.getInt("updated_at");
  return a;
}

// Fills groupIds of the accounts in one query.
Status loadGroupIds(sql::Executor& db, std::vector<Account>& accounts) {
  if (accounts.empty()) return {};
  sql::Params params;
  std::map<std::int64_t, Account*> byId;
  for (auto& a : accounts) {
    params.emplace_back(a.id);
    byId[a.id] = &a;
  }
  auto rows = db.query("SELECT group_id, account_id FROM cms_account_group_members WHERE account_id IN (" +
                           sql::marks(params.size()) + ") ORDER BY group_id",
                       params);
  if (!rows) return rows.error().wrap("account groups");
  for (const auto& r : *rows) byId[r.getInt("account_id")]->groupIds.push_back(r.getInt("group_id"));
  return {};
}

Result<std::vector<Account>> queryAccounts(sql::Executor& db, const std::string& where,
                                           const sql::Params& params, const std::string& tail = "") {
  auto rows = db.query(std::string("SELECT ") + kColumns +
                           " FROM cms_accounts a JOIN cms_orgs o ON o.id = a.org_id WHERE " + where + tail,
                       params);
  if (!rows) return rows.error().wrap("accounts");
  std::vector<Account> out;
  for (const auto& r : *rows) out.push_back(fromRow(r));
  if (auto st = loadGroupIds(db, out); !st) return st.error();
  return out;
}

}  // namespace

bool validStatus(std::string_view s) {
  return s == "active" || s == "disabled" || s == "suspended" || s == "archived";
}

Json toJson(const Account& a) {
  return Json{{"id", a.id},
              {"org_id", a.orgId},
              {"platform", platformName(a.platform)},
              {"name", a.name},
              {"status", a.status},
              {"settings", a.settings},
              {"credentials", {{"set", a.credentialsSet}}},
              {"group_ids", a.groupIds},
              {"created_at", a.createdAt},
              {"updated_at", a.updatedAt}};
}

Json toJson(const Group& g) {
  return Json{{"id", g.id},
              {"org_id", g.orgId},
              {"name", g.name},
              {"account_ids", g.accountIds},
              {"created_at", g.createdAt}};
}

std::vector<sql::Migration> migrations() {
  const std::string accounts =
      " org_id BIGINT NOT NULL, platform VARCHAR(32) NOT NULL, name VARCHAR(200) NOT NULL,"
      " status VARCHAR(16) NOT NULL, settings TEXT NOT NULL, credentials TEXT NULL,"
      " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
      "CREATE UNIQUE INDEX cms_accounts_platform_name ON cms_accounts (platform, name);"
      "CREATE INDEX cms_accounts_org ON cms_accounts (org_id);";
  const std::string groups =
      " org_id BIGINT NOT NULL, name VARCHAR(200) NOT NULL, created_at BIGINT NOT NULL);"
      "CREATE UNIQUE INDEX cms_account_groups_org_name ON cms_account_groups (org_id, name);"
      "CREATE TABLE cms_account_group_members (group_id BIGINT NOT NULL, account_id BIGINT NOT NULL,"
      " PRIMARY KEY (group_id, account_id));"
      "CREATE INDEX cms_account_group_members_account ON cms_account_group_members (account_id);";
  sql::Migration m;
  m.component = "cms.accounts";
  m.version = 1;
  m.name = "accounts, account groups";
  m.sqlite = "CREATE TABLE cms_accounts (id INTEGER PRIMARY KEY AUTOINCREMENT," + accounts +
             "CREATE TABLE cms_account_groups (id INTEGER PRIMARY KEY AUTOINCREMENT," + groups;
  m.mysql =
      content::withUtf8mb4("CREATE TABLE cms_accounts (id BIGINT AUTO_INCREMENT PRIMARY KEY," + accounts +
                           "CREATE TABLE cms_account_groups (id BIGINT AUTO_INCREMENT PRIMARY KEY," + groups);
  return {m};
}

Result<std::optional<Account>> getAccount(sql::Executor& db, std::int64_t id) {
  auto r = queryAccounts(db, "a.id = ?", {id});
  if (!r) return r.error();
  if (r->empty()) return std::optional<Account>();
  return std::optional<Account>(std::move(r->front()));
}

Result<std::optional<Account>> findAccount(sql::Executor& db, Platform platform, std::string_view name) {
  auto r = queryAccounts(db, "a.platform = ? AND a.name = ?", {platformName(platform), name});
  if (!r) return r.error();
  if (r->empty()) return std::optional<Account>();
  return std::optional<Account>(std::move(r->front()));
}

Result<std::vector<Account>> listAccounts(sql::Executor& db, const AccountQuery& q) {
  std::string where = q.pathSql.empty() ? "1 = 1" : q.pathSql;
  sql::Params params = q.pathParams;
  if (q.platform) {
    where += " AND a.platform = ?";
    params.emplace_back(platformName(*q.platform));
  }
  if (q.status) {
    where += " AND a.status = ?";
    params.emplace_back(*q.status);
  } else {
    where += " AND a.status <> 'archived'";
  }
  if (q.orgId) {
    where += " AND a.org_id = ?";
    params.emplace_back(*q.orgId);
  }
  if (q.groupId) {
    where += " AND a.id IN (SELECT account_id FROM cms_account_group_members WHERE group_id = ?)";
    params.emplace_back(*q.groupId);
  }
  where += " AND a.id > ?";
  params.emplace_back(q.afterId);
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  return queryAccounts(db, where, params, " ORDER BY a.id LIMIT ?");
}

Result<std::int64_t> insertAccount(sql::Executor& tx, const Account& a, std::int64_t now) {
  auto r = tx.insert(
      "INSERT INTO cms_accounts (org_id, platform, name, status, settings, credentials, created_at, "
      "updated_at)"
      " VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
      {a.orgId, platformName(a.platform), a.name, a.status, a.settings.dump(), now, now});
  if (!r) return r.error().wrap("insert account");
  return r->lastInsertId;
}

Status updateAccount(sql::Executor& tx, const Account& a, std::int64_t now) {
  auto r = tx.exec(
      "UPDATE cms_accounts SET org_id = ?, platform = ?, name = ?, status = ?, settings = ?, updated_at = ?"
      " WHERE id = ?",
      {a.orgId, platformName(a.platform), a.name, a.status, a.settings.dump(), now, a.id});
  if (!r) return r.error().wrap("update account");
  return {};
}

Status setCredentials(sql::Executor& tx, std::int64_t accountId, const std::optional<std::string>& sealed,
                      std::int64_t now) {
  auto r = tx.exec("UPDATE cms_accounts SET credentials = ?, updated_at = ? WHERE id = ?",
                   {sealed, now, accountId});
  if (!r) return r.error().wrap("account credentials");
  return {};
}

namespace {

Result<Json> unseal(const CredentialBox& box, const sql::Row& row, std::int64_t accountId) {
  if (row.isNull("credentials")) return Json(nullptr);
  auto plain = box.open(row.getString("credentials"));
  if (!plain) return plain.error().wrap("account " + std::to_string(accountId));
  Json j = Json::parse(*plain, nullptr, false);
  if (j.is_discarded()) return makeError("accounts.credentials_corrupt", "credentials are not JSON");
  return j;
}

}  // namespace

Result<Json> openCredentials(sql::Executor& db, const CredentialBox& box, std::int64_t accountId) {
  auto rows = db.query("SELECT credentials FROM cms_accounts WHERE id = ?", {accountId});
  if (!rows) return rows.error().wrap("account credentials");
  if (rows->empty()) return makeError("accounts.not_found", "no account " + std::to_string(accountId));
  return unseal(box, (*rows)[0], accountId);
}

Result<std::vector<Account>> getAccounts(sql::Executor& db, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return std::vector<Account>{};
  return queryAccounts(db, "a.id IN (" + sql::marks(ids.size()) + ")", sql::Params(ids.begin(), ids.end()),
                       " ORDER BY a.id");
}

Result<std::map<std::int64_t, Result<Json>>> openCredentialsOf(sql::Executor& db, const CredentialBox& box,
                                                               const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, Result<Json>> out;
  if (ids.empty()) return out;
  auto rows =
      db.query("SELECT id, credentials FROM cms_accounts WHERE id IN (" + sql::marks(ids.size()) + ")",
               sql::Params(ids.begin(), ids.end()));
  if (!rows) return rows.error().wrap("account credentials");
  for (const auto& r : *rows) out.emplace(r.getInt("id"), unseal(box, r, r.getInt("id")));
  return out;
}

Result<std::optional<Group>> getGroup(sql::Executor& db, std::int64_t id) {
  auto rows = db.query("SELECT id, org_id, name, created_at FROM cms_account_groups WHERE id = ?", {id});
  if (!rows) return rows.error().wrap("account group");
  if (rows->empty()) return std::optional<Group>();
  Group g;
  g.id = (*rows)[0].getInt("id");
  g.orgId = (*rows)[0].getInt("org_id");
  g.name = (*rows)[0].getString("name");
  g.createdAt = (*rows)[0].getInt("created_at");
  auto members = db.query(
      "SELECT account_id FROM cms_account_group_members WHERE group_id = ? ORDER BY account_id", {id});
  if (!members) return members.error().wrap("account group members");
  for (const auto& r : *members) g.accountIds.push_back(r.getInt("account_id"));
  return std::optional<Group>(std::move(g));
}

Result<std::optional<Group>> findGroup(sql::Executor& db, std::int64_t orgId, std::string_view name) {
  auto rows = db.query("SELECT id FROM cms_account_groups WHERE org_id = ? AND name = ?", {orgId, name});
  if (!rows) return rows.error().wrap("account group");
  if (rows->empty()) return std::optional<Group>();
  return getGroup(db, (*rows)[0].getInt("id"));
}

Result<std::vector<Group>> listGroups(sql::Executor& db, const std::string& pathSql,
                                      const sql::Params& pathParams) {
  auto rows = db.query(
      "SELECT g.id, g.org_id, g.name, g.created_at FROM cms_account_groups g JOIN cms_orgs o ON o.id = "
      "g.org_id"
      " WHERE " +
          pathSql + " ORDER BY g.id LIMIT 1000",
      pathParams);
  if (!rows) return rows.error().wrap("account groups");
  std::vector<Group> out;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& r : *rows) {
    Group g;
    g.id = r.getInt("id");
    g.orgId = r.getInt("org_id");
    g.name = r.getString("name");
    g.createdAt = r.getInt("created_at");
    index[g.id] = out.size();
    out.push_back(std::move(g));
  }
  if (out.empty()) return out;
  auto members = db.query(
      "SELECT m.group_id, m.account_id FROM cms_account_group_members m JOIN cms_account_groups g ON g.id ="
      " m.group_id JOIN cms_orgs o ON o.id = g.org_id WHERE " +
          pathSql + " ORDER BY m.account_id",
      pathParams);
  if (!members) return members.error().wrap("account group members");
  for (const auto& r : *members)
    if (auto it = index.find(r.getInt("group_id")); it != index.end())
      out[it->second].accountIds.push_back(r.getInt("account_id"));
  return out;
}

Result<std::int64_t> insertGroup(sql::Executor& tx, const Group& g, std::int64_t now) {
  auto r = tx.insert("INSERT INTO cms_account_groups (org_id, name, created_at) VALUES (?, ?, ?)",
                     {g.orgId, g.name, now});
  if (!r) return r.error().wrap("insert account group");
  return r->lastInsertId;
}

Status renameGroup(sql::Executor& tx, std::int64_t id, const std::string& name) {
  auto r = tx.exec("UPDATE cms_account_groups SET name = ? WHERE id = ?", {name, id});
  if (!r) return r.error().wrap("rename account group");
  return {};
}

Status deleteGroup(sql::Executor& tx, std::int64_t id) {
  if (auto r = tx.exec("DELETE FROM cms_account_group_members WHERE group_id = ?", {id}); !r)
    return r.error().wrap("delete account group");
  if (auto r = tx.exec("DELETE FROM cms_account_groups WHERE id = ?", {id}); !r)
    return r.error().wrap("delete account group");
  return {};
}

Status setGroupMembers(sql::Executor& tx, std::int64_t groupId, const std::vector<std::int64_t>& accountIds) {
  if (auto r = tx.exec("DELETE FROM cms_account_group_members WHERE group_id = ?", {groupId}); !r)
    return r.error().wrap("group members");
  for (auto id : accountIds)
    if (auto r = tx.exec("INSERT INTO cms_account_group_members (group_id, account_id) VALUES (?, ?)",
                         {groupId, id});
        !r)
      return r.error().wrap("group members");
  return {};
}

}  // namespace hub::cms::accounts
