// cms/accounts/account_store.h
//
// Publishing accounts and account groups in SQL (component "cms.accounts"). Every account and
// group belongs to an organisation. Connector settings are plain JSON; credentials are sealed
// by a CredentialBox before they are stored and never leave this module unsealed except
// through openCredentials() (for connectors). All functions block: call them on a worker,
// inside the caller's transaction when they are part of a mutation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cms/accounts/credential_box.h"
#include "cms/accounts/platform_limits.h"
#include "cms/api/json.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::cms::accounts {

// "active" (publishes), "disabled" (kept, never published to), "suspended" (the platform
// blocked it), "archived" (gone from the lists, history kept).
bool validStatus(std::string_view status);

struct Account {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  Platform platform = Platform::Website;
  std::string name;
  std::string status = "active";
  Json settings = Json::object();  // connector settings, never secrets
  bool credentialsSet = false;
  std::vector<std::int64_t> groupIds;
  std::int64_t createdAt = 0, updatedAt = 0;
};

struct Group {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string name;
  std::vector<std::int64_t> accountIds;
  std::int64_t createdAt = 0;
};

// What the API shows: credentials only as {"set": bool}.
Json toJson(const Account& a);
Json toJson(const Group& g);

// Component "cms.accounts".
std::vector<sql::Migration> migrations();

// Filters for list(); pathFilter is Access::pathFilter() over column "o.path".
struct AccountQuery {
  std::string pathSql;
  sql::Params pathParams;
  std::optional<Platform> platform;
  std::optional<std::string> status;
  std::optional<std::int64_t> groupId;
  std::optional<std::int64_t> orgId;  // exactly this org
  std::int64_t afterId = 0;
  int limit = 100;
};

Result<std::optional<Account>> getAccount(sql::Executor& db, std::int64_t id);
Result<std::optional<Account>> findAccount(sql::Executor& db, Platform platform, std::string_view name);
Result<std::vector<Account>> listAccounts(sql::Executor& db, const AccountQuery& q);
Result<std::int64_t> insertAccount(sql::Executor& tx, const Account& a, std::int64_t now);
Status updateAccount(sql::Executor& tx, const Account& a, std::int64_t now);
Status setCredentials(sql::Executor& tx, std::int64_t accountId, const std::optional<std::string>& sealed,
                      std::int64_t now);
// The connector's view: the account's credentials JSON unsealed, or null when none are set.
Result<Json> openCredentials(sql::Executor& db, const CredentialBox& box, std::int64_t accountId);
// Several accounts at once (those that exist, in id order), and their credentials unsealed in
// one statement (account id -> as openCredentials() answers; absent when there is no account).
Result<std::vector<Account>> getAccounts(sql::Executor& db, const std::vector<std::int64_t>& ids);
Result<std::map<std::int64_t, Result<Json>>> openCredentialsOf(sql::Executor& db, const CredentialBox& box,
                                                               const std::vector<std::int64_t>& ids);

Result<std::optional<Group>> getGroup(sql::Executor& db, std::int64_t id);
Result<std::vector<Group>> listGroups(sql::Executor& db, const std::string& pathSql,
                                      const sql::Params& pathParams);
Result<std::int64_t> insertGroup(sql::Executor& tx, const Group& g, std::int64_t now);
Status renameGroup(sql::Executor& tx, std::int64_t id, const std::string& name);
Status deleteGroup(sql::Executor& tx, std::int64_t id);
Status setGroupMembers(sql::Executor& tx, std::int64_t groupId, const std::vector<std::int64_t>& accountIds);
Result<std::optional<Group>> findGroup(sql::Executor& db, std::int64_t orgId, std::string_view name);

}  // namespace hub::cms::accounts
