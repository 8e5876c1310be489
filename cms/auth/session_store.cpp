// cms/auth/session_store.cpp
//
// Sessions and API tokens: creation, lookup per request, expiry and revocation.
#include "cms/auth/session_store.h"

#include <chrono>

#include "cms/auth/password.h"

namespace hub::cms::auth {
namespace {

// last_seen_at is written at most this often per session, not on every request.
constexpr std::int64_t kTouchEverySeconds = 30;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = trim(header.substr(0, semi));
    auto eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name)
      return std::string(trim(part.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

Json SessionInfo::toJson(std::int64_t currentId) const {
  Json j = {{"id", id}, {"created_at", createdAt}, {"last_seen_at", lastSeenAt}, {"peer", peer}};
  if (apiToken) {
    j["name"] = name;
  } else {
    j["expires_at"] = expiresAt;
    j["user_agent"] = userAgent;
    j["current"] = id == currentId;
  }
  return j;
}

std::int64_t SessionStore::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
}

Result<NewSession> SessionStore::open(sql::Executor& tx, std::int64_t userId, std::string_view peer,
                                      std::string_view userAgent) {
  NewSession s;
  s.token = randomToken(32);
  s.csrf = randomToken(24);
  const auto t = now();
  s.expiresAt = t + config_.sessionLifetimeSeconds;
  auto r = tx.insert(
      "INSERT INTO cms_sessions (token_hash, user_id, csrf, via_token, name, created_at, last_seen_at, "
      "expires_at,"
      " peer, user_agent) VALUES (?, ?, ?, 0, '', ?, ?, ?, ?, ?)",
      {sha256Hex(s.token), userId, s.csrf, t, t, s.expiresAt, std::string(peer.substr(0, 64)),
       std::string(userAgent.substr(0, 200))});
  if (!r) return r.error().wrap("open session");
  s.id = r->lastInsertId;
  return s;
}

Result<NewSession> SessionStore::createApiToken(sql::Executor& tx, std::int64_t userId,
                                                std::string_view name) {
  NewSession s;
  s.token = std::string(kApiTokenPrefix) + randomToken(32);
  const auto t = now();
  auto r = tx.insert(
      "INSERT INTO cms_sessions (token_hash, user_id, csrf, via_token, name, created_at, last_seen_at, "
      "expires_at,"
      " peer, user_agent) VALUES (?, ?, '', 1, ?, ?, ?, 0, '', '')",
      {sha256Hex(s.token), userId, std::string(name.substr(0, 100)), t, t});
  if (!r) return r.error().wrap("create API token");
  s.id = r->lastInsertId;
  return s;
}

Result<Actor> SessionStore::authenticate(const http::Request& req, bool mutation) {
  std::string secret;
  bool bearer = false;
  auto authz = req.header("authorization");
  if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) {
    secret = std::string(trim(authz.substr(7)));
    bearer = true;
  } else {
    secret = cookieValue(req.header("cookie"), kSessionCookie);
  }
  if (secret.empty()) return makeError("auth.unauthenticated", "sign in first");
  if (bearer && secret.rfind(kApiTokenPrefix, 0) != 0)
    return makeError("auth.invalid_token", "not a CMS API token");
  auto rows = db_.query(
      "SELECT id, user_id, csrf, via_token, last_seen_at, expires_at, revoked_at FROM cms_sessions"
      " WHERE token_hash = ?",
      {sha256Hex(secret)});
  if (!rows) return rows.error();
  const char* invalid = bearer ? "auth.invalid_token" : "auth.invalid_session";
  if (rows->empty()) return makeError(invalid, bearer ? "unknown API token" : "unknown session");
  const auto& row = (*rows)[0];
  const bool viaToken = row.getInt("via_token") != 0;
  if (viaToken != bearer) return makeError(invalid, "a session cookie is not an API token, nor the reverse");
  if (!row.isNull("revoked_at"))
    return makeError(invalid, bearer ? "the API token was revoked" : "signed out");
  const auto t = now();
  const auto id = row.getInt("id");
  if (!viaToken) {
    const auto lastSeen = row.getInt("last_seen_at");
    if (t >= row.getInt("expires_at") || t - lastSeen >= config_.sessionIdleSeconds)
      return makeError("auth.session_expired", "the session expired, sign in again");
    if (mutation) {
      auto sent = req.header(kCsrfHeader);
      if (sent.empty()) return makeError("auth.csrf", "missing X-CSRF-Token header");
      if (!constantTimeEquals(sent, row.getString("csrf")))
        return makeError("auth.csrf", "wrong X-CSRF-Token");
    }
  }
  auto actor = users_.actor(db_, row.getInt("user_id"));
  if (!actor) return actor.error();
  if (!*actor) return makeError("auth.user_disabled", "this user is disabled");
  if (t - row.getInt("last_seen_at") >= kTouchEverySeconds) {
    (void)db_.exec("UPDATE cms_sessions SET last_seen_at = ?, peer = ? WHERE id = ?",
                   {t, std::string(std::string_view(req.peer).substr(0, 64)), id});
  }
  Actor a = std::move(**actor);
  a.viaApiToken = viaToken;
  a.sessionId = id;
  return a;
}

Result<std::string> SessionStore::csrfOf(std::int64_t sessionId) {
  auto rows = db_.query("SELECT csrf FROM cms_sessions WHERE id = ?", {sessionId});
  if (!rows) return rows.error();
  return rows->empty() ? std::string() : (*rows)[0].getString("csrf");
}

Result<bool> SessionStore::revoke(sql::Executor& tx, std::int64_t userId, std::int64_t sessionId) {
  auto r =
      tx.exec("UPDATE cms_sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
              {now(), sessionId, userId});
  if (!r) return r.error().wrap("revoke session");
  return r->affected > 0;
}

Result<std::int64_t> SessionStore::revokeAll(sql::Executor& tx, std::int64_t userId, bool includeApiTokens) {
  auto r =
      tx.exec(std::string("UPDATE cms_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL") +
                  (includeApiTokens ? "" : " AND via_token = 0"),
              {now(), userId});
  if (!r) return r.error().wrap("revoke sessions");
  return r->affected;
}

Result<std::vector<SessionInfo>> SessionStore::list(std::int64_t userId, bool apiTokens) {
  const auto t = now();
  sql::Params params = {userId, apiTokens ? 1 : 0};
  std::string sql =
      "SELECT id, user_id, via_token, name, created_at, last_seen_at, expires_at, peer, user_agent FROM "
      "cms_sessions"
      " WHERE user_id = ? AND via_token = ? AND revoked_at IS NULL";
  if (!apiTokens) {
    sql += " AND expires_at > ? AND last_seen_at > ?";
    params.emplace_back(t);
    params.emplace_back(t - config_.sessionIdleSeconds);
  }
  sql += " ORDER BY id DESC LIMIT 500";
  auto rows = db_.query(sql, params);
  if (!rows) return rows.error().wrap("list sessions");
  std::vector<SessionInfo> out;
  for (const auto& row : *rows) {
    SessionInfo s;
    s.id = row.getInt("id");
    s.userId = row.getInt("user_id");
    s.apiToken = row.getInt("via_token") != 0;
    s.name = row.getString("name");
    s.createdAt = row.getInt("created_at");
    s.lastSeenAt = row.getInt("last_seen_at");
    s.expiresAt = row.getInt("expires_at");
    s.peer = row.getString("peer");
    s.userAgent = row.getString("user_agent");
    out.push_back(std::move(s));
  }
  return out;
}

std::string SessionStore::cookie(const NewSession& s, bool secure) const {
  return std::string(kSessionCookie) + "=" + s.token + "; Path=/; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(config_.sessionLifetimeSeconds);
}

std::string SessionStore::clearCookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "") +
         "; Max-Age=0";
}

}  // namespace hub::cms::auth
