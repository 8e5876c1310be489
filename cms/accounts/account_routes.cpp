// cms/accounts/account_routes.cpp
//
// Handlers for accounts and groups. Every mutation runs in one transaction with its audit
// entry; credentials never appear in a reply or in the audit log.
#include "cms/accounts/account_routes.h"

#include <algorithm>
#include <memory>
#include <set>

#include "cms/accounts/account_csv.h"
#include "cms/accounts/account_store.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"

namespace hub::cms::accounts {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.accounts");
  return log;
}

// Reads the fields of a create/patch body into `a`; collects per-field errors.
void readAccountFields(const Json& body, Account& a, std::map<std::string, std::string>& errors,
                       bool create) {
  if (body.contains("name") || create) {
    const Json& n = body.contains("name") ? body["name"] : Json();
    if (!n.is_string() || n.get<std::string>().empty())
      errors["name"] = "required text";
    else if (auto len = utf8Length(n.get<std::string>()); !len || *len > 200)
      errors["name"] = "at most 200 characters of UTF-8";
    else
      a.name = n.get<std::string>();
  }
  if (body.contains("platform") || create) {
    const Json& p = body.contains("platform") ? body["platform"] : Json();
    std::optional<Platform> platform = p.is_string() ? parsePlatform(p.get<std::string>()) : std::nullopt;
    if (!platform)
      errors["platform"] =
          "one of wechat_oa, wechat_channels, weibo, douyin, kuaishou, bilibili, toutiao, xiaohongshu, app, "
          "website";
    else
      a.platform = *platform;
  }
  if (body.contains("org_id") || create) {
    const Json& o = body.contains("org_id") ? body["org_id"] : Json();
    if (!o.is_number_integer())
      errors["org_id"] = "required organisation id";
    else
      a.orgId = o.get<std::int64_t>();
  }
  if (body.contains("status")) {
    const Json& s = body["status"];
    if (!s.is_string() || !validStatus(s.get<std::string>()))
      errors["status"] = "one of active, disabled, suspended, archived";
    else
      a.status = s.get<std::string>();
  }
  if (body.contains("settings")) {
    if (!body["settings"].is_object() || body["settings"].dump().size() > 16384)
      errors["settings"] = "an object of connector settings (at most 16 KiB)";
    else
      a.settings = body["settings"];
  }
  if (body.contains("credentials") && !body["credentials"].is_object() && !body["credentials"].is_null())
    errors["credentials"] = "an object of secrets, or null to clear them";
}

// Audit view of an account: everything but secrets.
Json auditView(const Account& a) { return toJson(a); }

std::optional<std::int64_t> asId(const Json& j) {
  if (j.is_number_integer() && j.get<std::int64_t>() > 0) return j.get<std::int64_t>();
  return std::nullopt;
}

// Changing an account or a group: one outside the actor's subtree does not exist for them (404,
// so ids do not leak); inside it, an Editor grant there is needed (403). nullopt: go ahead.
template <class T>
std::optional<ApiError> editDenied(const CmsContext& ctx, const auth::Actor& actor,
                                   const std::optional<T>& found, const std::string& what,
                                   const std::string& forbidden) {
  if (!found || !ctx.access.canSee(actor, found->orgId)) return ApiError::notFound(what);
  if (!ctx.access.can(actor, {Role::Editor}, found->orgId))
    return ApiError::forbidden("auth.forbidden", forbidden);
  return std::nullopt;
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  auto box = std::make_shared<std::optional<CredentialBox>>();
  {
    auto loaded = CredentialBox::load(ctx.base.config.cmsContent.credentialsKey, ctx.base.config.data.dir);
    if (loaded)
      *box = std::move(*loaded);
    else
      logger()->error("credentials key: {}; storing credentials is refused", loaded.error().message);
  }

  addRoute(ctx, http::Method::Get, "/api/v1/accounts/limits", Guard::Signed, [](CmsRequest&) -> Reply {
    Json out = Json::object();
    for (auto p : allPlatforms()) {
      const auto& l = limitsFor(p);
      Json types = Json::array();
      for (auto t : l.types) types.push_back(contentTypeName(t));
      out[std::string(platformName(p))] = {{"title_min", l.titleMin},
                                           {"title_max", l.titleMax},
                                           {"body_max", l.bodyMax},
                                           {"images_max", l.imagesMax},
                                           {"image_bytes_max", l.imageBytesMax},
                                           {"video_bytes_max", l.videoBytesMax},
                                           {"posts_per_day", l.postsPerDay},
                                           {"cover_required", l.coverRequired},
                                           {"types", types}};
    }
    return out;
  });

  addCsvRoutes(ctx);  // before "/api/v1/accounts/:id": the first matching route wins

  addRoute(ctx, http::Method::Get, "/api/v1/accounts", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    AccountQuery q;
    auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
    q.pathSql = filter.sql;
    q.pathParams = filter.params;
    std::map<std::string, std::string> errors;
    if (auto p = req.query("platform")) {
      q.platform = parsePlatform(*p);
      if (!q.platform) errors["platform"] = "unknown platform";
    }
    if (auto s = req.query("status")) {
      if (!validStatus(*s)) errors["status"] = "one of active, disabled, suspended, archived";
      q.status = std::string(*s);
    }
    auto group = req.intQuery("group", 0, 0, INT64_MAX);
    auto org = req.intQuery("org", -1, 0, INT64_MAX);
    auto after = req.intQuery("after", 0, 0, INT64_MAX);
    auto limit = req.intQuery("limit", 100, 1, 1000);
    if (!group) errors["group"] = "a group id";
    if (!org) errors["org"] = "an organisation id";
    if (!after) errors["after"] = "an account id";
    if (!limit) errors["limit"] = "1..1000";
    if (!errors.empty()) return ApiError::validation(errors);
    if (*group > 0) q.groupId = *group;
    if (*org >= 0) q.orgId = *org;
    q.afterId = *after;
    q.limit = static_cast<int>(*limit);
    auto list = listAccounts(ctx.base.db, q);
    if (!list) return list.error();
    Json items = Json::array();
    for (const auto& a : *list) items.push_back(toJson(a));
    Json out{{"items", items}};
    if (static_cast<int>(list->size()) == q.limit) out["next_after"] = list->back().id;
    return out;
  });

  addRoute(ctx, http::Method::Post, "/api/v1/accounts", Guard::Signed, [&ctx, box](CmsRequest& req) -> Reply {
    if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
    Account a;
    std::map<std::string, std::string> errors;
    readAccountFields(req.body, a, errors, true);
    if (!errors.count("org_id") && !ctx.orgs.exists(a.orgId)) errors["org_id"] = "no such organisation";
    if (!errors.empty()) return ApiError::validation(errors);
    if (!ctx.access.can(req.actor, {Role::Editor}, a.orgId))
      return ApiError::forbidden("auth.forbidden", "you may not add accounts to this organisation");
    std::optional<std::string> sealed;
    if (req.body.contains("credentials") && req.body["credentials"].is_object()) {
      if (!box->has_value())
        return ApiError::fromError(makeError("accounts.no_key", "credentials key unavailable"));
      sealed = (*box)->seal(req.body["credentials"].dump());
    }
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto existing = findAccount(tx, a.platform, a.name);
      if (!existing) return existing.error();
      if (*existing)
        return ApiError::conflict("accounts.exists", "an account with this platform and name exists");
      const auto now = nowSeconds(ctx.base.clock);
      auto id = insertAccount(tx, a, now);
      if (!id) return id.error();
      if (sealed)
        if (auto st = setCredentials(tx, *id, sealed, now); !st) return st.error();
      auto fresh = getAccount(tx, *id);
      if (!fresh || !*fresh) return fresh ? Reply(ApiError::notFound("account")) : Reply(fresh.error());
      if (auto st = ctx.audit.record(tx, req.actor, "account.create", "account", std::to_string(*id), nullptr,
                                     auditView(**fresh));
          !st)
        return st.error();
      return Reply::created(toJson(**fresh));
    });
  });

  addRoute(ctx, http::Method::Get, "/api/v1/accounts/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("account");
    auto a = getAccount(ctx.base.db, *id);
    if (!a) return a.error();
    if (!*a || !ctx.access.canSee(req.actor, (*a)->orgId)) return ApiError::notFound("account");
    return toJson(**a);
  });

  auto patch = [&ctx, box](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("account");
    if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto found = getAccount(tx, *id);
      if (!found) return found.error();
      if (auto denied = editDenied(ctx, req.actor, *found, "account", "you may not change this account"))
        return *denied;
      Account a = **found;
      std::map<std::string, std::string> errors;
      readAccountFields(req.body, a, errors, false);
      if (!errors.count("org_id") && a.orgId != (*found)->orgId) {
        if (!ctx.orgs.exists(a.orgId))
          errors["org_id"] = "no such organisation";
        else if (!ctx.access.can(req.actor, {Role::Editor}, a.orgId))
          return ApiError::forbidden("auth.forbidden", "you may not move accounts to that organisation");
      }
      if (!errors.empty()) return ApiError::validation(errors);
      if (a.platform != (*found)->platform || a.name != (*found)->name) {
        auto clash = findAccount(tx, a.platform, a.name);
        if (!clash) return clash.error();
        if (*clash && (*clash)->id != a.id)
          return ApiError::conflict("accounts.exists", "an account with this platform and name exists");
      }
      const auto now = nowSeconds(ctx.base.clock);
      if (auto st = updateAccount(tx, a, now); !st) return st.error();
      if (req.body.contains("credentials")) {
        std::optional<std::string> sealed;
        if (req.body["credentials"].is_object()) {
          if (!box->has_value())
            return ApiError::fromError(makeError("accounts.no_key", "credentials key unavailable"));
          sealed = (*box)->seal(req.body["credentials"].dump());
        }
        if (auto st = setCredentials(tx, a.id, sealed, now); !st) return st.error();
      }
      auto fresh = getAccount(tx, a.id);
      if (!fresh || !*fresh) return fresh ? Reply(ApiError::notFound("account")) : Reply(fresh.error());
      Json after = auditView(**fresh);
      if (req.body.contains("credentials")) after["credentials_changed"] = true;
      if (auto st = ctx.audit.record(tx, req.actor, "account.update", "account", std::to_string(a.id),
                                     auditView(**found), after);
          !st)
        return st.error();
      return toJson(**fresh);
    });
  };
  addRoute(ctx, http::Method::Patch, "/api/v1/accounts/:id", Guard::Signed, patch);

  // Credentials alone: PUT an object, DELETE to clear. 204 either way; nothing echoed.
  addRoute(
      ctx, http::Method::Put, "/api/v1/accounts/:id/credentials", Guard::Signed,
      [&ctx, box](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("account");
        if (!req.body.is_object() || req.body.empty())
          return ApiError::validation({{"credentials", "an object of secrets"}});
        if (!box->has_value())
          return ApiError::fromError(makeError("accounts.no_key", "credentials key unavailable"));
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto found = getAccount(tx, *id);
          if (!found) return found.error();
          if (auto denied = editDenied(ctx, req.actor, *found, "account", "you may not change this account"))
            return *denied;
          if (auto st = setCredentials(tx, *id, (*box)->seal(req.body.dump()), nowSeconds(ctx.base.clock));
              !st)
            return st.error();
          if (auto st =
                  ctx.audit.record(tx, req.actor, "account.credentials.set", "account", std::to_string(*id),
                                   Json{{"set", (*found)->credentialsSet}}, Json{{"set", true}});
              !st)
            return st.error();
          return Reply::noContent();
        });
      });

  addRoute(
      ctx, http::Method::Delete, "/api/v1/accounts/:id/credentials", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("account");
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto found = getAccount(tx, *id);
          if (!found) return found.error();
          if (auto denied = editDenied(ctx, req.actor, *found, "account", "you may not change this account"))
            return *denied;
          if (auto st = setCredentials(tx, *id, std::nullopt, nowSeconds(ctx.base.clock)); !st)
            return st.error();
          if (auto st =
                  ctx.audit.record(tx, req.actor, "account.credentials.clear", "account", std::to_string(*id),
                                   Json{{"set", (*found)->credentialsSet}}, Json{{"set", false}});
              !st)
            return st.error();
          return Reply::noContent();
        });
      });

  // DELETE archives: the account leaves the lists, schedules and history that name it stay valid.
  addRoute(
      ctx, http::Method::Delete, "/api/v1/accounts/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("account");
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto found = getAccount(tx, *id);
          if (!found) return found.error();
          if (auto denied = editDenied(ctx, req.actor, *found, "account", "you may not change this account"))
            return *denied;
          Account a = **found;
          a.status = "archived";
          if (auto st = updateAccount(tx, a, nowSeconds(ctx.base.clock)); !st) return st.error();
          if (auto st = ctx.audit.record(tx, req.actor, "account.archive", "account", std::to_string(a.id),
                                         auditView(**found), auditView(a));
              !st)
            return st.error();
          return Reply::noContent();
        });
      });

  // ---- groups ----
  addRoute(ctx, http::Method::Get, "/api/v1/account-groups", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
    auto list = listGroups(ctx.base.db, filter.sql, filter.params);
    if (!list) return list.error();
    Json items = Json::array();
    for (const auto& g : *list) items.push_back(toJson(g));
    return Json{{"items", items}};
  });

  addRoute(ctx, http::Method::Get, "/api/v1/account-groups/:id", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("account group");
             auto g = getGroup(ctx.base.db, *id);
             if (!g) return g.error();
             if (!*g || !ctx.access.canSee(req.actor, (*g)->orgId))
               return ApiError::notFound("account group");
             return toJson(**g);
           });

  // Members must be accounts the actor may edit; returns the deduplicated list or a Reply.
  auto checkMembers = [&ctx](sql::Executor& db, CmsRequest& req, const Json& ids,
                             std::vector<std::int64_t>& out) -> std::optional<Reply> {
    if (!ids.is_array()) return Reply(ApiError::validation({{"account_ids", "a list of account ids"}}));
    std::set<std::int64_t> seen;
    for (const auto& j : ids) {
      auto id = asId(j);
      if (!id) return Reply(ApiError::validation({{"account_ids", "a list of account ids"}}));
      auto a = getAccount(db, *id);
      if (!a) return Reply(a.error());
      if (!*a || !ctx.access.canSee(req.actor, (*a)->orgId))
        return Reply(ApiError::validation({{"account_ids", "no account " + std::to_string(*id)}}));
      if (!ctx.access.can(req.actor, {Role::Editor}, (*a)->orgId))
        return Reply(
            ApiError::forbidden("auth.forbidden", "you may not group account " + std::to_string(*id)));
      seen.insert(*id);
    }
    out.assign(seen.begin(), seen.end());
    return std::nullopt;
  };

  addRoute(ctx, http::Method::Post, "/api/v1/account-groups", Guard::Signed,
           [&ctx, checkMembers](CmsRequest& req) -> Reply {
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             std::map<std::string, std::string> errors;
             Group g;
             if (!req.body.contains("name") || !req.body["name"].is_string() ||
                 req.body["name"].get<std::string>().empty() ||
                 req.body["name"].get<std::string>().size() > 600)
               errors["name"] = "required text, at most 200 characters";
             else
               g.name = req.body["name"].get<std::string>();
             if (!req.body.contains("org_id") || !req.body["org_id"].is_number_integer())
               errors["org_id"] = "required organisation id";
             else if (g.orgId = req.body["org_id"].get<std::int64_t>(); !ctx.orgs.exists(g.orgId))
               errors["org_id"] = "no such organisation";
             if (!errors.empty()) return ApiError::validation(errors);
             if (!ctx.access.can(req.actor, {Role::Editor}, g.orgId))
               return ApiError::forbidden("auth.forbidden", "you may not add groups to this organisation");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               std::vector<std::int64_t> members;
               if (req.body.contains("account_ids"))
                 if (auto bad = checkMembers(tx, req, req.body["account_ids"], members)) return *bad;
               auto clash = findGroup(tx, g.orgId, g.name);
               if (!clash) return clash.error();
               if (*clash)
                 return ApiError::conflict("account_groups.exists", "a group with this name exists here");
               auto id = insertGroup(tx, g, nowSeconds(ctx.base.clock));
               if (!id) return id.error();
               if (auto st = setGroupMembers(tx, *id, members); !st) return st.error();
               auto fresh = getGroup(tx, *id);
               if (!fresh || !*fresh)
                 return fresh ? Reply(ApiError::notFound("account group")) : Reply(fresh.error());
               if (auto st = ctx.audit.record(tx, req.actor, "account_group.create", "account_group",
                                              std::to_string(*id), nullptr, toJson(**fresh));
                   !st)
                 return st.error();
               return Reply::created(toJson(**fresh));
             });
           });

  addRoute(ctx, http::Method::Patch, "/api/v1/account-groups/:id", Guard::Signed,
           [&ctx, checkMembers](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("account group");
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto found = getGroup(tx, *id);
               if (!found) return found.error();
               if (auto denied =
                       editDenied(ctx, req.actor, *found, "account group", "you may not change this group"))
                 return *denied;
               if (req.body.contains("name")) {
                 const Json& n = req.body["name"];
                 if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 600)
                   return ApiError::validation({{"name", "required text, at most 200 characters"}});
                 auto clash = findGroup(tx, (*found)->orgId, n.get<std::string>());
                 if (!clash) return clash.error();
                 if (*clash && (*clash)->id != *id)
                   return ApiError::conflict("account_groups.exists", "a group with this name exists here");
                 if (auto st = renameGroup(tx, *id, n.get<std::string>()); !st) return st.error();
               }
               if (req.body.contains("account_ids")) {
                 std::vector<std::int64_t> members;
                 if (auto bad = checkMembers(tx, req, req.body["account_ids"], members)) return *bad;
                 if (auto st = setGroupMembers(tx, *id, members); !st) return st.error();
               }
               auto fresh = getGroup(tx, *id);
               if (!fresh || !*fresh)
                 return fresh ? Reply(ApiError::notFound("account group")) : Reply(fresh.error());
               if (auto st = ctx.audit.record(tx, req.actor, "account_group.update", "account_group",
                                              std::to_string(*id), toJson(**found), toJson(**fresh));
                   !st)
                 return st.error();
               return toJson(**fresh);
             });
           });

  addRoute(ctx, http::Method::Delete, "/api/v1/account-groups/:id", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("account group");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto found = getGroup(tx, *id);
               if (!found) return found.error();
               if (auto denied =
                       editDenied(ctx, req.actor, *found, "account group", "you may not change this group"))
                 return *denied;
               if (auto st = deleteGroup(tx, *id); !st) return st.error();
               if (auto st = ctx.audit.record(tx, req.actor, "account_group.delete", "account_group",
                                              std::to_string(*id), toJson(**found), nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
           });
}

}  // namespace hub::cms::accounts
