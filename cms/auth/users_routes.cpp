// cms/auth/users_routes.cpp
//
// /api/v1/users: admins manage the users of their subtree (list, create, read, update,
// disable, reset password, grants, revoke sessions). An admin of a subtree may only grant
// roles on organisations inside it. Every change is audited in its transaction.
#include <map>

#include "cms/api/routes.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/auth/auth_routes.h"
#include "cms/auth/session_store.h"
#include "cms/auth/user_store.h"
#include "cms/org/org_tree.h"

namespace hub::cms::auth {
namespace {

// Grants from [{"role":"editor","org_id":5}]; errors into `bad` under "grants".
std::vector<Grant> parseGrants(const Json& j, std::map<std::string, std::string>& bad) {
  std::vector<Grant> out;
  if (!j.is_array()) {
    bad["grants"] = "must be a list of {\"role\", \"org_id\"}";
    return out;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& g = j[i];
    const std::string key = "grants[" + std::to_string(i) + "]";
    if (!g.is_object() || !g.contains("role") || !g["role"].is_string() || !g.contains("org_id") ||
        !g["org_id"].is_number_integer()) {
      bad[key] = "needs role and org_id";
      continue;
    }
    auto role = roleFromName(g["role"].get<std::string>());
    if (!role) {
      bad[key] = "role must be admin, editor, reviewer, host or moderator";
      continue;
    }
    out.push_back({*role, g["org_id"].get<std::int64_t>()});
  }
  return out;
}

// The actor (an admin somewhere) may hand out every one of these grants.
bool mayGrant(const CmsContext& ctx, const Actor& actor, const std::vector<Grant>& grants) {
  for (const auto& g : grants)
    if (!ctx.access.can(actor, {Role::Admin}, g.orgId)) return false;
  return true;
}

// Loads user :id if the actor administers its organisation; else the Reply to send.
std::variant<User, Reply> adminTarget(CmsContext& ctx, CmsRequest& req) {
  auto id = req.idParam("id");
  if (!id) return Reply(ApiError::notFound("user"));
  auto u = ctx.users.find(ctx.base.db, *id);
  if (!u) return Reply(u.error());
  if (!*u || !ctx.access.canSee(req.actor, (*u)->orgId)) return Reply(ApiError::notFound("user"));
  if (!ctx.access.can(req.actor, {Role::Admin}, (*u)->orgId))
    return Reply(
        ApiError::forbidden("auth.forbidden", "only an admin of the user's organisation may do this"));
  return std::move(**u);
}

}  // namespace

void addUserRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/users", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    if (!req.actor.hasRole(Role::Admin)) return ApiError::forbidden("auth.forbidden", "admins only");
    auto after = req.intQuery("after", 0, 0, INT64_MAX);
    auto limit = req.intQuery("limit", 100, 1, 500);
    if (!after || !limit) return ApiError::validation({{"after", "a whole number"}, {"limit", "1..500"}});
    auto paths = ctx.access.visiblePaths(req.actor, {Role::Admin});
    auto users = ctx.users.list(ctx.base.db, paths, *after, static_cast<int>(*limit));
    if (!users) return users.error();
    Json items = Json::array();
    for (const auto& u : *users) items.push_back(u.toJson());
    Json out = {{"items", items}};
    if (static_cast<std::int64_t>(users->size()) == *limit) out["next_after"] = users->back().id;
    return out;
  });

  addRoute(ctx, http::Method::Post, "/api/v1/users", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    if (!req.actor.hasRole(Role::Admin)) return ApiError::forbidden("auth.forbidden", "admins only");
    const Json& b = req.body;
    if (!b.is_object()) return ApiError::validation({{"body", "must be a JSON object"}});
    std::map<std::string, std::string> bad;
    NewUser nu;
    if (!b.contains("username") || !b["username"].is_string()) {
      bad["username"] = "required";
    } else if (auto n = UserStore::normalizeUsername(b["username"].get<std::string>()); !n) {
      bad["username"] = n.error().message;
    } else {
      nu.username = *n;
    }
    if (!b.contains("password") || !b["password"].is_string() || b["password"].get<std::string>().size() < 8)
      bad["password"] = "required, at least 8 characters";
    else
      nu.password = b["password"].get<std::string>();
    nu.displayName = b.value("display_name", std::string());
    if (nu.displayName.size() > 100) bad["display_name"] = "at most 100 bytes";
    nu.orgId = b.contains("org_id") && b["org_id"].is_number_integer() ? b["org_id"].get<std::int64_t>() : -1;
    if (nu.orgId < 0 || (nu.orgId != kRootOrg && !ctx.orgs.exists(nu.orgId)))
      bad["org_id"] = "an existing organisation";
    if (b.contains("grants")) nu.grants = parseGrants(b["grants"], bad);
    for (const auto& g : nu.grants)
      if (g.orgId != kRootOrg && !ctx.orgs.exists(g.orgId))
        bad["grants"] = "org_id " + std::to_string(g.orgId) + " does not exist";
    if (!bad.empty()) return ApiError::validation(bad);
    if (!ctx.access.can(req.actor, {Role::Admin}, nu.orgId) || !mayGrant(ctx, req.actor, nu.grants))
      return ApiError::forbidden("auth.forbidden",
                                 "you may only create users and grants inside your organisation");
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto u = ctx.users.create(tx, nu);
      if (!u) {
        if (u.error().code == "user.exists") return ApiError::conflict(u.error().code, u.error().message);
        if (u.error().code == "auth.weak_password")
          return ApiError::validation({{"password", u.error().message}});
        return u.error();
      }
      if (auto st = ctx.audit.record(tx, req.actor, "user.create", "user", std::to_string(u->id), nullptr,
                                     u->toJson());
          !st)
        return st.error();
      return Reply::created(u->toJson());
    });
  });

  addRoute(ctx, http::Method::Get, "/api/v1/users/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("user");
    auto u = ctx.users.find(ctx.base.db, *id);
    if (!u) return u.error();
    const bool self = *id == req.actor.userId;
    if (!*u || (!self && !ctx.access.canSee(req.actor, (*u)->orgId))) return ApiError::notFound("user");
    if (!self && !ctx.access.can(req.actor, {Role::Admin}, (*u)->orgId))
      return ApiError::forbidden("auth.forbidden", "admins only");
    return (*u)->toJson();
  });

  // {"display_name", "org_id", "disabled", "password", "grants"}: any subset.
  addRoute(ctx, http::Method::Patch, "/api/v1/users/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto target = adminTarget(ctx, req);
    if (auto* r = std::get_if<Reply>(&target)) return std::move(*r);
    User before = std::get<User>(std::move(target));
    const Json& b = req.body;
    if (!b.is_object()) return ApiError::validation({{"body", "must be a JSON object"}});
    std::map<std::string, std::string> bad;
    std::string displayName = before.displayName;
    std::int64_t orgId = before.orgId;
    if (b.contains("display_name")) {
      if (!b["display_name"].is_string() || b["display_name"].get<std::string>().empty() ||
          b["display_name"].get<std::string>().size() > 100)
        bad["display_name"] = "1 to 100 bytes";
      else
        displayName = b["display_name"].get<std::string>();
    }
    if (b.contains("org_id")) {
      if (!b["org_id"].is_number_integer() ||
          (b["org_id"].get<std::int64_t>() != kRootOrg && !ctx.orgs.exists(b["org_id"].get<std::int64_t>())))
        bad["org_id"] = "an existing organisation";
      else
        orgId = b["org_id"].get<std::int64_t>();
    }
    std::optional<bool> disabled;
    if (b.contains("disabled")) {
      if (!b["disabled"].is_boolean())
        bad["disabled"] = "true or false";
      else
        disabled = b["disabled"].get<bool>();
    }
    std::optional<std::string> password;
    if (b.contains("password")) {
      if (!b["password"].is_string() || b["password"].get<std::string>().size() < 8)
        bad["password"] = "at least 8 characters";
      else
        password = b["password"].get<std::string>();
    }
    std::optional<std::vector<Grant>> grants;
    if (b.contains("grants")) grants = parseGrants(b["grants"], bad);
    if (!bad.empty()) return ApiError::validation(bad);
    if (!ctx.access.can(req.actor, {Role::Admin}, orgId) || (grants && !mayGrant(ctx, req.actor, *grants)))
      return ApiError::forbidden("auth.forbidden",
                                 "you may only move users and grant roles inside your organisation");
    if (disabled && *disabled && before.id == req.actor.userId)
      return ApiError::conflict("user.self", "you cannot disable yourself");
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      if (auto st = ctx.users.update(tx, before.id, displayName, orgId); !st) return st.error();
      if (disabled) {
        if (auto st = ctx.users.setDisabled(tx, before.id, *disabled); !st) return st.error();
        if (*disabled) {
          if (auto r = ctx.sessions.revokeAll(tx, before.id, true); !r) return r.error();
        }
      }
      if (password) {
        if (auto st = ctx.users.setPassword(tx, before.id, *password); !st) return st.error();
        if (auto r = ctx.sessions.revokeAll(tx, before.id, false); !r) return r.error();
      }
      if (grants) {
        if (auto st = ctx.users.setGrants(tx, before.id, *grants); !st) return st.error();
      }
      auto after = ctx.users.find(tx, before.id);
      if (!after) return after.error();
      Json afterJson = (*after)->toJson();
      if (password) afterJson["password_reset"] = true;
      if (auto st = ctx.audit.record(tx, req.actor, "user.update", "user", std::to_string(before.id),
                                     before.toJson(), afterJson);
          !st)
        return st.error();
      return (*after)->toJson();
    });
  });

  // Admins end every browser session of a user (API tokens too with ?tokens=1).
  addRoute(
      ctx, http::Method::Post, "/api/v1/users/:id/revoke-sessions", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        auto target = adminTarget(ctx, req);
        if (auto* r = std::get_if<Reply>(&target)) return std::move(*r);
        const User u = std::get<User>(std::move(target));
        const bool tokens = req.query("tokens").value_or("0") == "1";
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto n = ctx.sessions.revokeAll(tx, u.id, tokens);
          if (!n) return n.error();
          if (auto st = ctx.audit.record(tx, req.actor, "user.revoke_sessions", "user", std::to_string(u.id),
                                         nullptr, Json{{"revoked", *n}, {"api_tokens", tokens}});
              !st)
            return st.error();
          return Json{{"revoked", *n}};
        });
      });
}

}  // namespace hub::cms::auth
