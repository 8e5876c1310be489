// cms/auth/auth_routes.cpp
//
// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me, my sessions and API
// tokens, and POST /api/v1/chat/member-token. Every sign-in, failed or not, is audited.
#include "cms/auth/auth_routes.h"

#include <memory>

#include "cms/api/routes.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/login_limiter.h"
#include "cms/auth/password.h"
#include "cms/auth/session_store.h"
#include "cms/auth/user_store.h"
#include "core/auth/token.h"
#include "core/log/log.h"
#include "core/metrics/registry.h"

namespace hub::cms::auth {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.auth");
  return log;
}

bool secureCookies(const config::Config& c) {
  return !c.http.tlsCert.empty() || c.http.publicUrl.rfind("https://", 0) == 0;
}

// Verifying against this when the user does not exist keeps the answer's timing the same.
const std::string& dummyHash() {
  static const std::string hash = [] {
    auto h = hashPassword("not-a-real-password-0");
    return h ? *h : std::string();
  }();
  return hash;
}

std::optional<std::string> stringField(const Json& body, const char* name) {
  if (!body.is_object() || !body.contains(name) || !body[name].is_string()) return std::nullopt;
  return body[name].get<std::string>();
}

Json meJson(const Actor& a) {
  return Json{{"id", a.userId},
              {"username", a.username},
              {"display_name", a.displayName},
              {"grants", UserStore::grantsJson(a.grants)}};
}

struct Limits {
  Limits(const Clock& clock, const config::Cms& c)
      : perIp(clock, c.loginPerIpPerMinute), perUser(clock, c.loginPerUserPerMinute) {}
  LoginLimiter perIp;
  LoginLimiter perUser;
};

}  // namespace

Json chatTokenJson(const CmsContext& ctx, const Actor& actor, hub::auth::Role role, const std::string& room) {
  hub::auth::TokenClaims claims;
  claims.room = room;
  claims.userId = actor.userId;
  claims.name = actor.displayName.empty() ? actor.username : actor.displayName;
  claims.role = role;
  claims.expires =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.base.clock.wall().time_since_epoch()).count() +
      ctx.config.memberTokenTtlSeconds;
  return Json{
      {"token", hub::auth::signToken(claims, ctx.base.authSecret)},
      {"user", {{"id", claims.userId}, {"name", claims.name}, {"role", hub::auth::roleName(claims.role)}}},
      {"expires", claims.expires}};
}

void addRoutes(CmsContext& ctx) {
  auto limits = std::make_shared<Limits>(ctx.base.clock, ctx.config);
  auto& signIns = ctx.base.metrics.counter("hub_cms_sign_ins_total", "CMS sign-ins that succeeded");
  auto& signInFailures = ctx.base.metrics.counter("hub_cms_sign_in_failures_total",
                                                  "CMS sign-ins refused (bad credentials, limits)");
  const bool secure = secureCookies(ctx.base.config);

  addRoute(
      ctx, http::Method::Post, "/api/v1/auth/login", Guard::Public,
      [&ctx, limits, secure, &signIns, &signInFailures](CmsRequest& req) -> Reply {
        auto username = stringField(req.body, "username");
        auto password = stringField(req.body, "password");
        std::map<std::string, std::string> bad;
        if (!username || username->empty()) bad["username"] = "required";
        if (!password || password->empty()) bad["password"] = "required";
        if (!bad.empty()) return ApiError::validation(bad);
        auto normal = UserStore::normalizeUsername(*username);
        const std::string key = normal ? *normal : *username;
        int wait = limits->perIp.take(req.http.peer);
        if (wait == 0) wait = limits->perUser.take(key);
        if (wait > 0) {
          signInFailures.inc();
          logger()->warn("[peer={}] sign-in as {} refused: rate limited for {} s", req.http.peer, key, wait);
          Actor who;
          who.username = key.substr(0, 64);
          who.peer = req.http.peer;
          (void)ctx.audit.record(ctx.base.db, who, "auth.login_limited", "user", "", nullptr,
                                 Json{{"username", who.username}});
          return ApiError::tooManyRequests("auth.rate_limited", "too many sign-in attempts, wait and retry",
                                           wait);
        }
        auto user = ctx.users.findByName(ctx.base.db, key);
        if (!user) return user.error();
        std::string hash;
        if (*user) {
          auto h = ctx.users.passwordHash(ctx.base.db, (*user)->id);
          if (!h) return h.error();
          hash = *h;
        }
        const bool passwordOk = verifyPassword(hash.empty() ? dummyHash() : hash, *password) && !hash.empty();
        const bool ok = passwordOk && *user && !(*user)->disabled;
        Actor who;
        who.peer = req.http.peer;
        who.username = key.substr(0, 64);
        if (*user) {
          who.userId = (*user)->id;
          who.username = (*user)->username;
          who.displayName = (*user)->displayName;
          who.grants = (*user)->grants;
        }
        if (!ok) {
          signInFailures.inc();
          const char* reason = !*user ? "unknown user" : !passwordOk ? "wrong password" : "user disabled";
          logger()->info("[peer={} user={}] sign-in refused: {}", req.http.peer, who.userId, reason);
          (void)ctx.audit.record(ctx.base.db, who, "auth.login_failed", "user",
                                 who.userId ? std::to_string(who.userId) : "", nullptr,
                                 Json{{"reason", reason}});
          return ApiError::unauthenticated("auth.bad_credentials", "wrong username or password");
        }
        std::optional<NewSession> session;
        Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          if (needsRehash(hash)) {
            if (auto st = ctx.users.setPassword(tx, who.userId, *password); !st) return st.error();
          }
          auto s = ctx.sessions.open(tx, who.userId, req.http.peer, req.http.header("user-agent"));
          if (!s) return s.error();
          session = *s;
          who.sessionId = s->id;
          if (auto st = ctx.audit.record(tx, who, "auth.login", "user", std::to_string(who.userId), nullptr,
                                         Json{{"session_id", s->id}});
              !st)
            return st.error();
          return Json{{"user", meJson(who)}, {"csrf_token", s->csrf}, {"expires_at", s->expiresAt}};
        });
        if (reply.isError()) return reply;
        signIns.inc();
        logger()->info("[peer={} user={} session={}] signed in", req.http.peer, who.userId, session->id);
        reply.header("Set-Cookie", ctx.sessions.cookie(*session, secure));
        return reply;
      });

  addRoute(ctx, http::Method::Post, "/api/v1/auth/logout", Guard::Signed,
           [&ctx, secure](CmsRequest& req) -> Reply {
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto r = ctx.sessions.revoke(tx, req.actor.userId, req.actor.sessionId);
               if (!r) return r.error();
               if (auto st = ctx.audit.record(
                       tx, req.actor, req.actor.viaApiToken ? "auth.token_revoke" : "auth.logout", "session",
                       std::to_string(req.actor.sessionId), nullptr, nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
             if (!reply.isError() && !req.actor.viaApiToken)
               reply.header("Set-Cookie", SessionStore::clearCookie(secure));
             return reply;
           });

  addRoute(ctx, http::Method::Get, "/api/v1/auth/me", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    Json out = {{"user", meJson(req.actor)}, {"via_api_token", req.actor.viaApiToken}};
    if (!req.actor.viaApiToken) {
      auto csrf = ctx.sessions.csrfOf(req.actor.sessionId);
      if (!csrf) return csrf.error();
      out["csrf_token"] = *csrf;
    }
    return out;
  });

  // My sessions (browsers) and my API tokens.
  for (bool tokens : {false, true}) {
    const std::string base = tokens ? "/api/v1/auth/tokens" : "/api/v1/auth/sessions";
    addRoute(ctx, http::Method::Get, base, Guard::Signed, [&ctx, tokens](CmsRequest& req) -> Reply {
      auto list = ctx.sessions.list(req.actor.userId, tokens);
      if (!list) return list.error();
      Json items = Json::array();
      for (const auto& s : *list) items.push_back(s.toJson(req.actor.sessionId));
      return Json{{"items", items}};
    });
    addRoute(ctx, http::Method::Delete, base + "/:id", Guard::Signed,
             [&ctx, tokens](CmsRequest& req) -> Reply {
               auto id = req.idParam("id");
               if (!id) return ApiError::notFound(tokens ? "API token" : "session");
               return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
                 auto r = ctx.sessions.revoke(tx, req.actor.userId, *id);
                 if (!r) return r.error();
                 if (!*r) return ApiError::notFound(tokens ? "API token" : "session");
                 if (auto st =
                         ctx.audit.record(tx, req.actor, tokens ? "auth.token_revoke" : "auth.session_revoke",
                                          "session", std::to_string(*id), nullptr, nullptr);
                     !st)
                   return st.error();
                 return Reply::noContent();
               });
             });
  }

  addRoute(ctx, http::Method::Post, "/api/v1/auth/tokens", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto name = stringField(req.body, "name");
    if (!name || name->empty() || name->size() > 100)
      return ApiError::validation({{"name", "required, 1 to 100 characters"}});
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto t = ctx.sessions.createApiToken(tx, req.actor.userId, *name);
      if (!t) return t.error();
      if (auto st = ctx.audit.record(tx, req.actor, "auth.token_create", "session", std::to_string(t->id),
                                     nullptr, Json{{"name", *name}});
          !st)
        return st.error();
      return Reply::created(Json{{"id", t->id}, {"name", *name}, {"token", t->token}});
    });
  });

  // A chat token (core/auth/token.h) for the signed-in user: moderator with a Moderator or
  // Admin grant anywhere, else user.
  addRoute(ctx, http::Method::Post, "/api/v1/chat/member-token", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             return chatTokenJson(
                 ctx, req.actor,
                 req.actor.hasRole(Role::Moderator) ? hub::auth::Role::Moderator : hub::auth::Role::User);
           });

  addUserRoutes(ctx);
}

}  // namespace hub::cms::auth
