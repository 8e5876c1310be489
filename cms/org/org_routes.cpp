// cms/org/org_routes.cpp
//
// HTTP handlers of the organisation tree. Outside the actor's subtrees an org is 404; inside
// but without the Admin role a write is 403.
#include "cms/org/org_routes.h"

#include "cms/api/routes.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/org/org_import.h"
#include "cms/org/org_store.h"
#include "cms/org/org_tree.h"

namespace hub::cms::org {
namespace {

using auth::Role;

Reply storeError(const Error& e) {
  if (e.code == "org.exists" || e.code == "org.not_empty" || e.code == "org.cycle")
    return ApiError::conflict(e.code, e.message);
  if (e.code == "org.not_found") return ApiError::notFound("organisation");
  if (e.code == "org.no_parent") return ApiError::validation({{"parent_id", e.message}});
  if (e.code == "org.bad_name") return ApiError::validation({{"name", e.message}});
  if (e.code == "org.bad_id" || e.code == "org.too_deep") return ApiError::validation({{"id", e.message}});
  return e;
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  auto store = std::make_shared<OrgStore>(ctx.orgs, ctx.base.clock);

  // The organisations at the top of what the actor can see (one per grant, nested ones dropped).
  addRoute(ctx, http::Method::Get, "/api/v1/orgs", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    Json items = Json::array();
    if (ctx.access.visiblePaths(req.actor, auth::Access::anyRole()) == std::vector<std::string>{"/%"}) {
      for (const auto& o : ctx.orgs.children(0)) items.push_back(toJson(o));
      return Json{{"items", items}};
    }
    for (const auto& p : ctx.access.visiblePaths(req.actor, auth::Access::anyRole())) {
      auto trimmed = p.substr(0, p.size() - 2);  // "/1/5/%" -> "/1/5"
      auto id = std::stoll(trimmed.substr(trimmed.rfind('/') + 1));
      if (auto o = ctx.orgs.get(id)) items.push_back(toJson(*o));
    }
    return Json{{"items", items}};
  });

  addRoute(ctx, http::Method::Get, "/api/v1/orgs/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id || !ctx.access.canSee(req.actor, *id)) return ApiError::notFound("organisation");
    auto o = ctx.orgs.get(*id);
    if (!o) return ApiError::notFound("organisation");
    Json j = toJson(*o);
    j["children"] = ctx.orgs.children(*id).size();
    return j;
  });

  addRoute(ctx, http::Method::Get, "/api/v1/orgs/:id/children", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id || !ctx.access.canSee(req.actor, *id) || !ctx.orgs.exists(*id))
               return ApiError::notFound("organisation");
             Json items = Json::array();
             for (const auto& o : ctx.orgs.children(*id)) items.push_back(toJson(o));
             return Json{{"items", items}};
           });

  // The subtree, breadth first, at most `limit` (default 1000, at most 10000) organisations
  // and `depth` levels below (default 2).
  addRoute(ctx, http::Method::Get, "/api/v1/orgs/:id/subtree", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id || !ctx.access.canSee(req.actor, *id)) return ApiError::notFound("organisation");
             auto root = ctx.orgs.get(*id);
             if (!root) return ApiError::notFound("organisation");
             auto depth = req.intQuery("depth", 2, 0, 64);
             auto limit = req.intQuery("limit", 1000, 1, 10000);
             if (!depth || !limit) return ApiError::validation({{"depth", "0..64"}, {"limit", "1..10000"}});
             Json items = Json::array();
             items.push_back(toJson(*root));
             std::vector<std::int64_t> level = {*id};
             bool truncated = false;
             for (std::int64_t d = 0; d < *depth && !level.empty() && !truncated; ++d) {
               std::vector<std::int64_t> next;
               for (auto parent : level) {
                 for (const auto& o : ctx.orgs.children(parent)) {
                   if (static_cast<std::int64_t>(items.size()) >= *limit) {
                     truncated = true;
                     break;
                   }
                   items.push_back(toJson(o));
                   next.push_back(o.id);
                 }
                 if (truncated) break;
               }
               level = std::move(next);
             }
             return Json{{"items", items}, {"truncated", truncated}};
           });

  // {"id"?, "parent_id", "name", "level"?}: admins of the parent (of the whole tree for a top one).
  addRoute(ctx, http::Method::Post, "/api/v1/orgs", Guard::Signed, [&ctx, store](CmsRequest& req) -> Reply {
    const Json& b = req.body;
    if (!b.is_object()) return ApiError::validation({{"body", "must be a JSON object"}});
    std::map<std::string, std::string> bad;
    std::int64_t parent = 0;
    if (b.contains("parent_id") && !b["parent_id"].is_null()) {
      if (!b["parent_id"].is_number_integer() || b["parent_id"].get<std::int64_t>() < 0)
        bad["parent_id"] = "an organisation id, or 0/null for the top level";
      else
        parent = b["parent_id"].get<std::int64_t>();
    }
    std::optional<std::int64_t> id;
    if (b.contains("id") && !b["id"].is_null()) {
      if (!b["id"].is_number_integer() || b["id"].get<std::int64_t>() <= 0)
        bad["id"] = "a positive whole number";
      else
        id = b["id"].get<std::int64_t>();
    }
    if (!b.contains("name") || !b["name"].is_string() || b["name"].get<std::string>().empty())
      bad["name"] = "required";
    int level = 0;
    if (b.contains("level")) {
      if (!b["level"].is_number_integer())
        bad["level"] = "a whole number";
      else
        level = b["level"].get<int>();
    } else if (parent != 0) {
      if (auto p = ctx.orgs.get(parent)) level = p->level + 1;
    }
    if (!bad.empty()) return ApiError::validation(bad);
    if (parent != 0 && !ctx.access.canSee(req.actor, parent))
      return ApiError::validation({{"parent_id", "no such organisation"}});
    if (!ctx.access.can(req.actor, {Role::Admin}, parent))
      return ApiError::forbidden("auth.forbidden", "only an admin of the parent organisation may add to it");
    std::optional<Org> made;
    Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto o = store->create(tx, id, parent, b["name"].get<std::string>(), level);
      if (!o) return storeError(o.error());
      if (auto st = ctx.audit.record(tx, req.actor, "org.create", "org", std::to_string(o->id), nullptr,
                                     toJson(*o));
          !st)
        return st.error();
      made = *o;
      return Reply::created(toJson(*o));
    });
    if (made) ctx.orgs.put(*made);
    return reply;
  });

  // {"name"?, "parent_id"?}: rename and/or move. Admins of the org; a move also needs Admin on
  // the new parent.
  addRoute(
      ctx, http::Method::Patch, "/api/v1/orgs/:id", Guard::Signed, [&ctx, store](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id || !ctx.access.canSee(req.actor, *id)) return ApiError::notFound("organisation");
        auto before = ctx.orgs.get(*id);
        if (!before) return ApiError::notFound("organisation");
        const Json& b = req.body;
        if (!b.is_object()) return ApiError::validation({{"body", "must be a JSON object"}});
        std::map<std::string, std::string> bad;
        std::optional<std::string> name;
        std::optional<std::int64_t> parent;
        if (b.contains("name")) {
          if (!b["name"].is_string() || b["name"].get<std::string>().empty())
            bad["name"] = "1 to 200 bytes";
          else
            name = b["name"].get<std::string>();
        }
        if (b.contains("parent_id")) {
          if (b["parent_id"].is_null())
            parent = 0;
          else if (!b["parent_id"].is_number_integer() || b["parent_id"].get<std::int64_t>() < 0)
            bad["parent_id"] = "an organisation id, or 0/null for the top level";
          else
            parent = b["parent_id"].get<std::int64_t>();
        }
        if (!bad.empty()) return ApiError::validation(bad);
        if (!ctx.access.can(req.actor, {Role::Admin}, *id))
          return ApiError::forbidden("auth.forbidden", "only an admin of the organisation may change it");
        const bool moving = parent && *parent != before->parentId;
        if (moving) {
          if (*parent != 0 && !ctx.access.canSee(req.actor, *parent))
            return ApiError::validation({{"parent_id", "no such organisation"}});
          if (!ctx.access.can(req.actor, {Role::Admin}, *parent) ||
              !ctx.access.can(req.actor, {Role::Admin}, before->parentId))
            return ApiError::forbidden("auth.forbidden", "moving needs admin on the old and the new parent");
        }
        std::optional<Org> after;
        Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          Org o = *before;
          if (name) {
            auto r = store->rename(tx, *id, *name);
            if (!r) return storeError(r.error());
            o = *r;
          }
          if (moving) {
            auto r = store->move(tx, *id, *parent);
            if (!r) return storeError(r.error());
            o.parentId = r->parentId;
            o.path = r->path;
          }
          if (auto st = ctx.audit.record(tx, req.actor, moving ? "org.move" : "org.rename", "org",
                                         std::to_string(*id), toJson(*before), toJson(o));
              !st)
            return st.error();
          after = o;
          return toJson(o);
        });
        if (after) {
          if (moving) {
            if (auto st = ctx.orgs.reload(); !st) return st.error();
          } else {
            ctx.orgs.put(*after);
          }
        }
        return reply;
      });

  // The CSV import (org_import.h) for admins of the whole tree: body text/csv. Bad rows: 422
  // with {"error":{..., "fields":{"line 7": "..."}}} and nothing applied.
  addRoute(
      ctx, http::Method::Post, "/api/v1/orgs/import", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        if (!ctx.access.isSuperAdmin(req.actor))
          return ApiError::forbidden("auth.forbidden", "importing the tree is for admins of the whole tree");
        auto report = importCsv(ctx.base.db, req.http.body, ctx.base.clock);
        if (!report) return report.error();
        if (!report->ok()) {
          std::map<std::string, std::string> fields;
          for (const auto& p : report->problems)
            fields[p.line ? "line " + std::to_string(p.line) : std::string("file")] = p.message;
          return ApiError::validation(fields, "the file has bad rows; nothing was imported");
        }
        if (auto st =
                ctx.audit.record(ctx.base.db, req.actor, "org.import", "org", "", nullptr, report->toJson());
            !st)
          return st.error();
        if (auto st = ctx.orgs.reload(); !st) return st.error();
        return report->toJson();
      },
      RouteOptions{.parseJson = false});

  addRoute(ctx, http::Method::Delete, "/api/v1/orgs/:id", Guard::Signed,
           [&ctx, store](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id || !ctx.access.canSee(req.actor, *id)) return ApiError::notFound("organisation");
             auto before = ctx.orgs.get(*id);
             if (!before) return ApiError::notFound("organisation");
             if (!ctx.access.can(req.actor, {Role::Admin}, before->parentId))
               return ApiError::forbidden("auth.forbidden",
                                          "only an admin of the parent organisation may delete it");
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = store->remove(tx, *id); !st) return storeError(st.error());
               if (auto st = ctx.audit.record(tx, req.actor, "org.delete", "org", std::to_string(*id),
                                              toJson(*before), nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
             if (!reply.isError()) ctx.orgs.erase(*id);
             return reply;
           });
}

}  // namespace hub::cms::org
