// cms/auth/session_store.h
//
// Browser sessions and API tokens, one table (cms_sessions): only the SHA-256 of each secret is
// stored, so a leaked database does not sign anyone in. A session ends when idle longer than
// [cms] session_idle_timeout, session_lifetime after sign-in, at logout, or when revoked (by
// its user or an admin). API tokens (`Authorization: Bearer hubt_...`) have a name, no CSRF and
// no expiry; they live until revoked. Disabling a user stops both at once. Blocking calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "cms/auth/user_store.h"
#include "core/config/config.h"
#include "core/http/request.h"
#include "core/sql/database.h"
#include "core/util/clock.h"

namespace hub::cms::auth {

inline constexpr std::string_view kSessionCookie = "hub_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";
inline constexpr std::string_view kApiTokenPrefix = "hubt_";

struct NewSession {
  std::int64_t id = 0;
  std::string token;  // the cookie value
  std::string csrf;
  std::int64_t expiresAt = 0;  // absolute end (the idle timeout may end it sooner)
};

struct SessionInfo {
  std::int64_t id = 0;
  std::int64_t userId = 0;
  bool apiToken = false;
  std::string name;  // API tokens
  std::int64_t createdAt = 0, lastSeenAt = 0, expiresAt = 0;
  std::string peer, userAgent;
  Json toJson(std::int64_t currentId) const;
};

class SessionStore {
 public:
  SessionStore(sql::Database& db, UserStore& users, const config::Cms& config, const Clock& clock)
      : db_(db), users_(users), config_(config), clock_(clock) {}

  Result<NewSession> open(sql::Executor& tx, std::int64_t userId, std::string_view peer,
                          std::string_view userAgent);
  // Shown once: the returned token is never stored.
  Result<NewSession> createApiToken(sql::Executor& tx, std::int64_t userId, std::string_view name);

  // From the cookie (CSRF checked when `mutation`) or the bearer token. Errors, all 401 but the
  // last: "auth.unauthenticated" (nothing presented), "auth.session_expired",
  // "auth.invalid_session", "auth.invalid_token", "auth.user_disabled"; "auth.csrf" (403).
  Result<Actor> authenticate(const http::Request& req, bool mutation);

  Result<std::string> csrfOf(std::int64_t sessionId);
  // Ends sessions/tokens of a user: one (false when it was not theirs or already ended), or all.
  Result<bool> revoke(sql::Executor& tx, std::int64_t userId, std::int64_t sessionId);
  Result<std::int64_t> revokeAll(sql::Executor& tx, std::int64_t userId, bool includeApiTokens);
  // Live sessions (apiTokens false) or live API tokens (true) of a user, newest first.
  Result<std::vector<SessionInfo>> list(std::int64_t userId, bool apiTokens);

  // "hub_session=<token>; Path=/; HttpOnly; SameSite=Lax[; Secure]; Max-Age=N" (and the one
  // that clears it).
  std::string cookie(const NewSession& s, bool secure) const;
  static std::string clearCookie(bool secure);

 private:
  std::int64_t now() const;

  sql::Database& db_;
  UserStore& users_;
  const config::Cms& config_;
  const Clock& clock_;
};

// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookieValue(std::string_view header, std::string_view name);

}  // namespace hub::cms::auth
