// cms/auth/user_store.h
//
// CMS users and their grants in SQL (cms_users, cms_grants; component "cms.auth", which also
// holds the session and API token tables of session_store.h). Usernames are 1 to 64 of a-z,
// 0-9, '.', '_' and '-', stored lower-case. Every call blocks (run it on a worker); writes take
// the Executor of the caller's transaction so the audit entry goes in with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"

namespace hub::cms::auth {

// Component "cms.auth": users, grants, sessions, API tokens.
std::vector<sql::Migration> migrations();

struct User {
  std::int64_t id = 0;
  std::string username, displayName;
  std::int64_t orgId = 0;  // the organisation the user belongs to (0: none, the first admin)
  bool disabled = false;
  std::int64_t createdAt = 0, updatedAt = 0;
  std::vector<Grant> grants;

  // {"id","username","display_name","org_id","disabled","created_at","updated_at","grants":[{"role","org_id"}]}
  Json toJson() const;
};

struct NewUser {
  std::string username, displayName, password;
  std::int64_t orgId = 0;
  std::vector<Grant> grants;
};

class UserStore {
 public:
  UserStore(sql::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Lower-cased; error "auth.bad_username".
  static Result<std::string> normalizeUsername(std::string_view name);
  static Json grantsJson(const std::vector<Grant>& grants);

  // Hashes the password (slow). Errors: auth.bad_username, auth.weak_password, "user.exists".
  Result<User> create(sql::Executor& tx, const NewUser& user);
  Result<std::optional<User>> find(sql::Executor& db, std::int64_t id);
  Result<std::optional<User>> findByName(sql::Executor& db, std::string_view username);
  // The stored Argon2id string ("" when the user does not exist).
  Result<std::string> passwordHash(sql::Executor& db, std::int64_t id);
  Status setPassword(sql::Executor& tx, std::int64_t id, std::string_view password);
  Status setPasswordHash(sql::Executor& tx, std::int64_t id, const std::string& hash);
  Status setDisabled(sql::Executor& tx, std::int64_t id, bool disabled);
  Status update(sql::Executor& tx, std::int64_t id, const std::string& displayName, std::int64_t orgId);
  Status setGrants(sql::Executor& tx, std::int64_t id, const std::vector<Grant>& grants);
  Result<std::vector<Grant>> grants(sql::Executor& db, std::int64_t id);
  // Users whose org lies under one of `pathPrefixes` (from Access::visiblePaths; "/%" is all,
  // which also lists users of org 0), ordered by id, after `afterId`.
  Result<std::vector<User>> list(sql::Executor& db, const std::vector<std::string>& pathPrefixes,
                                 std::int64_t afterId, int limit);
  Result<std::int64_t> count(sql::Executor& db);

  // The signed-in identity of a user: nullopt when missing or disabled.
  Result<std::optional<Actor>> actor(sql::Executor& db, std::int64_t userId);

  sql::Database& db() { return db_; }

 private:
  std::int64_t now() const;

  sql::Database& db_;
  const Clock& clock_;
};

}  // namespace hub::cms::auth
