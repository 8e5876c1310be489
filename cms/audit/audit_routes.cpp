// cms/audit/audit_routes.cpp
//
// GET /api/v1/audit?actor=&action=&object_type=&object_id=&from=&to=&before=&limit=
// (from/to: RFC 3339 or epoch seconds; before: an entry id for the next page).
#include "cms/audit/audit_routes.h"

#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"

namespace hub::cms::audit {

void addRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/audit", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    if (!ctx.access.isSuperAdmin(req.actor))
      return ApiError::forbidden("auth.forbidden",
                                 "the audit log is for admins of the whole organisation tree");
    Query q;
    std::map<std::string, std::string> bad;
    if (auto a = req.query("actor")) {
      auto v = req.intQuery("actor", 0, 0, INT64_MAX);
      if (!v)
        bad["actor"] = "a user id";
      else
        q.actorId = *v;
      (void)a;
    }
    q.action = std::string(req.query("action").value_or(""));
    q.objectType = std::string(req.query("object_type").value_or(""));
    q.objectId = std::string(req.query("object_id").value_or(""));
    for (const char* name : {"from", "to"}) {
      auto text = req.query(name);
      if (!text) continue;
      auto t = parseTimeOrEpoch(*text);
      if (!t)
        bad[name] = t.error().message;
      else
        (std::string_view(name) == "from" ? q.from : q.to) = *t;
    }
    auto before = req.intQuery("before", 0, 0, INT64_MAX);
    auto limit = req.intQuery("limit", 50, 1, 500);
    if (!before) bad["before"] = "an entry id";
    if (!limit) bad["limit"] = "1..500";
    if (!bad.empty()) return ApiError::validation(bad);
    q.beforeId = *before;
    q.limit = static_cast<int>(*limit);
    auto entries = ctx.audit.query(ctx.base.db, q);
    if (!entries) return entries.error();
    Json items = Json::array();
    for (const auto& e : *entries)
      items.push_back({{"id", e.id},
                       {"at", formatTime(e.at)},
                       {"actor", {{"id", e.actorId}, {"username", e.actorName}}},
                       {"peer", e.peer},
                       {"action", e.action},
                       {"object_type", e.objectType},
                       {"object_id", e.objectId},
                       {"before", e.before},
                       {"after", e.after}});
    Json out = {{"items", items}};
    if (static_cast<int>(entries->size()) == q.limit) out["next_before"] = entries->back().id;
    return out;
  });
}

}  // namespace hub::cms::audit
