// cms/content/content_routes.cpp
//
// Handlers for items, variants, revisions and diffs; each mutation in one transaction with its
// revision and audit entry.
#include "cms/content/content_routes.h"

#include <algorithm>
#include <set>

#include "cms/accounts/account_store.h"
#include "cms/accounts/platform_limits.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/content/content_store.h"
#include "cms/content/line_diff.h"
#include "cms/content/markdown.h"
#include "cms/media_library/media_store.h"
#include "cms/org/org_tree.h"
#include "cms/workflow/workflow.h"

namespace hub::cms::content {
namespace {

using auth::Role;
using Fields = std::map<std::string, std::string>;

constexpr std::size_t kTitleMax = 200;    // characters
constexpr std::size_t kBodyMax = 200000;  // characters
constexpr std::size_t kTagsMax = 20;
constexpr std::size_t kTagMax = 32;  // characters

std::optional<std::int64_t> positiveId(const Json& j) {
  if (j.is_number_integer() && j.get<std::int64_t>() > 0) return j.get<std::int64_t>();
  return std::nullopt;
}

// A media id the actor can see and that is complete, of `kind` when given.
std::optional<std::string> checkMedia(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor,
                                      std::int64_t id, std::string_view kind, std::int64_t* bytes = nullptr) {
  auto m = media_library::getMedia(db, id);
  if (!m || !*m || !ctx.access.canSee(actor, (*m)->orgId) || (*m)->state != "complete")
    return "no media " + std::to_string(id);
  if (!kind.empty() && (*m)->kind != kind)
    return "media " + std::to_string(id) + " is not " + std::string(kind);
  if (bytes) *bytes = (*m)->size;
  return std::nullopt;
}

// Reads title/body/type/tags/cover from a create or patch body into `item`.
void readItemFields(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor, const Json& b, Item& item,
                    Fields& errors, bool create) {
  if (create || b.contains("type")) {
    const Json& t = b.contains("type") ? b["type"] : Json();
    if (!t.is_string() || !accounts::parseContentType(t.get<std::string>()))
      errors["type"] = "one of article, video, image_post, live_announcement";
    else
      item.type = t.get<std::string>();
  }
  if (create || b.contains("title")) {
    const Json& t = b.contains("title") ? b["title"] : Json();
    std::optional<std::size_t> len =
        t.is_string() ? accounts::utf8Length(t.get<std::string>()) : std::nullopt;
    if (!len || *len == 0 || *len > kTitleMax)
      errors["title"] = "required, 1 to " + std::to_string(kTitleMax) + " characters";
    else
      item.title = t.get<std::string>();
  }
  if (create || b.contains("body")) {
    const Json& t = b.contains("body") ? b["body"] : Json("");
    std::optional<std::size_t> len =
        t.is_string() ? accounts::utf8Length(t.get<std::string>()) : std::nullopt;
    if (!len || *len > kBodyMax)
      errors["body"] = "Markdown text of at most " + std::to_string(kBodyMax) + " characters";
    else
      item.body = t.get<std::string>();
  }
  if (b.contains("tags")) {
    const Json& t = b["tags"];
    std::set<std::string> tags;
    bool ok = t.is_array() && t.size() <= kTagsMax;
    if (ok)
      for (const auto& x : t) {
        std::optional<std::size_t> len =
            x.is_string() ? accounts::utf8Length(x.get<std::string>()) : std::nullopt;
        if (!len || *len == 0 || *len > kTagMax) {
          ok = false;
          break;
        }
        tags.insert(x.get<std::string>());
      }
    if (!ok)
      errors["tags"] = "a list of at most " + std::to_string(kTagsMax) + " tags of 1 to " +
                       std::to_string(kTagMax) + " characters";
    else
      item.tags.assign(tags.begin(), tags.end());
  }
  if (b.contains("cover_media_id")) {
    const Json& c = b["cover_media_id"];
    if (c.is_null()) {
      item.coverMediaId.reset();
    } else if (auto id = positiveId(c); !id) {
      errors["cover_media_id"] = "a media id or null";
    } else if (auto bad = checkMedia(ctx, db, actor, *id, "image")) {
      errors["cover_media_id"] = *bad;
    } else {
      item.coverMediaId = *id;
    }
  }
}

Result<std::optional<Item>> visibleItem(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor,
                                        std::int64_t id) {
  auto item = getItem(db, id);
  if (!item) return item.error();
  if (!*item || !ctx.access.canSee(actor, (*item)->orgId)) return std::optional<Item>();
  return item;
}

Json diffJson(const std::vector<DiffLine>& d) {
  Json out = Json::array();
  for (const auto& l : d) out.push_back({{"op", opName(l.op)}, {"text", l.text}});
  return out;
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Post, "/api/v1/content/preview", Guard::Signed, [](CmsRequest& req) -> Reply {
    if (!req.body.is_object() || !req.body.contains("body") || !req.body["body"].is_string())
      return ApiError::validation({{"body", "Markdown text"}});
    auto len = accounts::utf8Length(req.body["body"].get<std::string>());
    if (!len || *len > kBodyMax)
      return ApiError::validation({{"body", "at most 200000 characters of UTF-8"}});
    return Json{{"html", renderMarkdown(req.body["body"].get<std::string>())}};
  });

  addRoute(ctx, http::Method::Post, "/api/v1/content", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      Item item;
      Fields errors;
      if (!req.body.contains("org_id") || !req.body["org_id"].is_number_integer())
        errors["org_id"] = "required organisation id";
      else if (item.orgId = req.body["org_id"].get<std::int64_t>(); !ctx.orgs.exists(item.orgId))
        errors["org_id"] = "no such organisation";
      readItemFields(ctx, tx, req.actor, req.body, item, errors, true);
      if (!errors.empty()) return ApiError::validation(errors);
      if (!ctx.access.can(req.actor, {Role::Editor}, item.orgId))
        return ApiError::forbidden("auth.forbidden", "you may not write content for this organisation");
      const auto now = nowSeconds(ctx.base.clock);
      item.bodyHtml = renderMarkdown(item.body);
      item.revision = 1;
      item.createdBy = item.updatedBy = req.actor.userId;
      item.createdAt = item.updatedAt = now;
      auto id = insertItem(tx, item);
      if (!id) return id.error();
      item.id = *id;
      if (auto st = insertRevision(tx, revisionOf(item, req.actor, now)); !st) return st.error();
      Json after = toJson(item);
      after.erase("body_html");
      if (auto st = ctx.audit.record(tx, req.actor, "content.create", "content", std::to_string(item.id),
                                     nullptr, after);
          !st)
        return st.error();
      return Reply::created(toJson(item));
    });
  });

  addRoute(ctx, http::Method::Get, "/api/v1/content", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    ItemQuery q;
    auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
    q.pathSql = filter.sql;
    q.pathParams = filter.params;
    Fields errors;
    q.state = std::string(req.query("state").value_or(""));
    if (!q.state.empty() && !workflow::parseState(q.state)) errors["state"] = "unknown state";
    q.type = std::string(req.query("type").value_or(""));
    if (!q.type.empty() && !accounts::parseContentType(q.type)) errors["type"] = "unknown type";
    q.tag = std::string(req.query("tag").value_or(""));
    auto org = req.intQuery("org", -1, 0, INT64_MAX);
    auto before = req.intQuery("before", 0, 0, INT64_MAX);
    auto limit = req.intQuery("limit", 50, 1, 500);
    if (!org) errors["org"] = "an organisation id";
    if (!before) errors["before"] = "an item id";
    if (!limit) errors["limit"] = "1..500";
    if (!errors.empty()) return ApiError::validation(errors);
    if (*org >= 0) q.orgId = *org;
    q.beforeId = *before;
    q.limit = static_cast<int>(*limit);
    auto list = listItems(ctx.base.db, q);
    if (!list) return list.error();
    Json items = Json::array();
    for (const auto& i : *list) {
      Json j = toJson(i);
      j.erase("body");
      j.erase("body_html");
      items.push_back(std::move(j));
    }
    Json out{{"items", items}};
    if (static_cast<int>(list->size()) == q.limit) out["next_before"] = list->back().id;
    return out;
  });

  addRoute(ctx, http::Method::Get, "/api/v1/content/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("content");
    auto item = visibleItem(ctx, ctx.base.db, req.actor, *id);
    if (!item) return item.error();
    if (!*item) return ApiError::notFound("content");
    auto variants = listVariants(ctx.base.db, *id);
    if (!variants) return variants.error();
    Json j = toJson(**item);
    Json vs = Json::array();
    for (const auto& v : *variants) vs.push_back(toJson(v));
    j["variants"] = vs;
    return j;
  });

  addRoute(ctx, http::Method::Patch, "/api/v1/content/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("content");
    if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto found = visibleItem(ctx, tx, req.actor, *id);
      if (!found) return found.error();
      if (!*found) return ApiError::notFound("content");
      if (!ctx.access.can(req.actor, {Role::Editor}, (*found)->orgId))
        return ApiError::forbidden("auth.forbidden", "you may not edit this content");
      Item item = **found;
      Fields errors;
      readItemFields(ctx, tx, req.actor, req.body, item, errors, false);
      if (req.body.contains("org_id")) errors["org_id"] = "content cannot move between organisations";
      if (!errors.empty()) return ApiError::validation(errors);
      auto state = workflow::parseState(item.state).value_or(workflow::State::Draft);
      using S = workflow::State;
      if (state == S::InReview || state == S::Scheduled || state == S::Publishing)
        return ApiError::conflict("content.locked", "content " + item.state + " cannot be edited");
      const auto now = nowSeconds(ctx.base.clock);
      if (state != S::Draft) {
        // approved, published or failed: an edit needs review again
        auto back = state == S::Approved ? S::Draft : S::Draft;
        if (auto st = workflow::transition(tx, req.actor, item.id, state, back, "edited", ctx.base.clock);
            !st)
          return st.error().code == "workflow.stale"
                     ? Reply(ApiError::conflict("content.stale", st.error().message))
                     : Reply(st.error());
        item.state = "draft";
      }
      item.bodyHtml = renderMarkdown(item.body);
      item.revision += 1;
      item.updatedBy = req.actor.userId;
      item.updatedAt = now;
      if (auto st = updateItem(tx, item); !st) return st.error();
      if (auto st = insertRevision(tx, revisionOf(item, req.actor, now)); !st) return st.error();
      Json before = toJson(**found), after = toJson(item);
      before.erase("body_html");
      after.erase("body_html");
      if (auto st = ctx.audit.record(tx, req.actor, "content.update", "content", std::to_string(item.id),
                                     before, after);
          !st)
        return st.error();
      return toJson(item);
    });
  });

  addRoute(ctx, http::Method::Delete, "/api/v1/content/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("content");
    return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
      auto found = visibleItem(ctx, tx, req.actor, *id);
      if (!found) return found.error();
      if (!*found) return ApiError::notFound("content");
      if (!ctx.access.can(req.actor, {Role::Editor}, (*found)->orgId))
        return ApiError::forbidden("auth.forbidden", "you may not delete this content");
      if ((*found)->state != "draft")
        return ApiError::conflict("content.locked",
                                  "only drafts can be deleted (this one is " + (*found)->state + ")");
      if (auto st = deleteItem(tx, *id); !st) return st.error();
      Json before = toJson(**found);
      before.erase("body_html");
      if (auto st = ctx.audit.record(tx, req.actor, "content.delete", "content", std::to_string(*id), before,
                                     nullptr);
          !st)
        return st.error();
      return Reply::noContent();
    });
  });

  // ---- variants ----
  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/variants", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("content");
             auto item = visibleItem(ctx, ctx.base.db, req.actor, *id);
             if (!item) return item.error();
             if (!*item) return ApiError::notFound("content");
             auto variants = listVariants(ctx.base.db, *id);
             if (!variants) return variants.error();
             Json vs = Json::array();
             for (const auto& v : *variants) vs.push_back(toJson(v));
             return Json{{"items", vs}};
           });

  addRoute(ctx, http::Method::Put, "/api/v1/content/:id/variants/:account", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             auto accountId = req.idParam("account");
             if (!id) return ApiError::notFound("content");
             if (!accountId) return ApiError::notFound("account");
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto found = visibleItem(ctx, tx, req.actor, *id);
               if (!found) return found.error();
               if (!*found) return ApiError::notFound("content");
               if (!ctx.access.can(req.actor, {Role::Editor}, (*found)->orgId))
                 return ApiError::forbidden("auth.forbidden", "you may not edit this content");
               auto state = workflow::parseState((*found)->state).value_or(workflow::State::Draft);
               if (state != workflow::State::Draft)
                 return ApiError::conflict("content.locked", "variants change while the item is a draft");
               auto account = accounts::getAccount(tx, *accountId);
               if (!account) return account.error();
               if (!*account || !ctx.access.canSee(req.actor, (*account)->orgId))
                 return ApiError::notFound("account");

               const Json& b = req.body;
               Fields errors;
               Variant v;
               v.accountId = *accountId;
               accounts::Variant check;
               check.type = *accounts::parseContentType((*found)->type);
               auto text = [&](const char* name, std::string& out, const std::string& fallback) {
                 if (!b.contains(name)) {
                   out = fallback;
                 } else if (!b[name].is_string()) {
                   errors[name] = "text";
                 } else {
                   out = b[name].get<std::string>();
                 }
               };
               text("title", v.title, (*found)->title);
               text("body", v.body, (*found)->body);
               if (b.contains("cover_media_id") && !b["cover_media_id"].is_null()) {
                 auto mid = positiveId(b["cover_media_id"]);
                 if (!mid)
                   errors["cover_media_id"] = "a media id or null";
                 else if (auto bad = checkMedia(ctx, tx, req.actor, *mid, "image"))
                   errors["cover_media_id"] = *bad;
                 else
                   v.coverMediaId = *mid;
               } else if (!b.contains("cover_media_id")) {
                 v.coverMediaId = (*found)->coverMediaId;
               }
               if (b.contains("image_ids")) {
                 if (!b["image_ids"].is_array()) {
                   errors["images"] = "a list of media ids";
                 } else {
                   for (const auto& x : b["image_ids"]) {
                     auto mid = positiveId(x);
                     std::int64_t bytes = 0;
                     if (!mid) {
                       errors["images"] = "a list of media ids";
                       break;
                     }
                     if (auto bad = checkMedia(ctx, tx, req.actor, *mid, "image", &bytes)) {
                       errors["images"] = *bad;
                       break;
                     }
                     v.imageIds.push_back(*mid);
                     check.images.push_back(
                         {.id = std::to_string(*mid), .bytes = static_cast<std::uint64_t>(bytes)});
                   }
                 }
               }
               if (b.contains("video_id") && !b["video_id"].is_null()) {
                 auto mid = positiveId(b["video_id"]);
                 std::int64_t bytes = 0;
                 if (!mid) {
                   errors["video"] = "a media id or null";
                 } else if (auto bad = checkMedia(ctx, tx, req.actor, *mid, "video", &bytes)) {
                   errors["video"] = *bad;
                 } else {
                   v.videoId = *mid;
                   check.video = accounts::VariantMedia{.id = std::to_string(*mid),
                                                        .bytes = static_cast<std::uint64_t>(bytes)};
                 }
               }
               if (!errors.empty()) return ApiError::validation(errors);
               check.title = v.title;
               check.body = v.body;
               check.hasCover = v.coverMediaId.has_value();
               auto limitErrors = accounts::validateVariant((*account)->platform, check);
               if (!limitErrors.empty())
                 return ApiError::validation(
                     limitErrors,
                     "the variant does not fit " + std::string(accounts::platformName((*account)->platform)));
               v.updatedAt = nowSeconds(ctx.base.clock);
               if (auto st = upsertVariant(tx, *id, v); !st) return st.error();
               if (auto st = ctx.audit.record(tx, req.actor, "content.variant.put", "content",
                                              std::to_string(*id), nullptr, toJson(v));
                   !st)
                 return st.error();
               return toJson(v);
             });
           });

  addRoute(ctx, http::Method::Delete, "/api/v1/content/:id/variants/:account", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             auto accountId = req.idParam("account");
             if (!id || !accountId) return ApiError::notFound("variant");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto found = visibleItem(ctx, tx, req.actor, *id);
               if (!found) return found.error();
               if (!*found) return ApiError::notFound("content");
               if (!ctx.access.can(req.actor, {Role::Editor}, (*found)->orgId))
                 return ApiError::forbidden("auth.forbidden", "you may not edit this content");
               if ((*found)->state != "draft")
                 return ApiError::conflict("content.locked", "variants change while the item is a draft");
               auto gone = deleteVariant(tx, *id, *accountId);
               if (!gone) return gone.error();
               if (!*gone) return ApiError::notFound("variant");
               if (auto st = ctx.audit.record(tx, req.actor, "content.variant.delete", "content",
                                              std::to_string(*id), Json{{"account_id", *accountId}}, nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
           });

  // ---- revisions ----
  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/revisions", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("content");
             auto item = visibleItem(ctx, ctx.base.db, req.actor, *id);
             if (!item) return item.error();
             if (!*item) return ApiError::notFound("content");
             auto revs = listRevisions(ctx.base.db, *id);
             if (!revs) return revs.error();
             Json out = Json::array();
             for (const auto& r : *revs) out.push_back(toJson(r, false));
             return Json{{"items", out}};
           });

  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/revisions/:rev", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             auto rev = req.idParam("rev");
             if (!id) return ApiError::notFound("content");
             auto item = visibleItem(ctx, ctx.base.db, req.actor, *id);
             if (!item) return item.error();
             if (!*item || !rev || *rev > INT32_MAX) return ApiError::notFound("revision");
             auto r = getRevision(ctx.base.db, *id, static_cast<int>(*rev));
             if (!r) return r.error();
             if (!*r) return ApiError::notFound("revision");
             return toJson(**r, true);
           });

  // GET /api/v1/content/:id/diff?from=1&to=2 (to defaults to the latest revision)
  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/diff", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("content");
             auto item = visibleItem(ctx, ctx.base.db, req.actor, *id);
             if (!item) return item.error();
             if (!*item) return ApiError::notFound("content");
             auto from = req.intQuery("from", 0, 1, INT32_MAX);
             auto to = req.intQuery("to", (*item)->revision, 1, INT32_MAX);
             Fields errors;
             if (!from || *from == 0) errors["from"] = "a revision number";
             if (!to) errors["to"] = "a revision number";
             if (!errors.empty()) return ApiError::validation(errors);
             auto a = getRevision(ctx.base.db, *id, static_cast<int>(*from));
             auto b = getRevision(ctx.base.db, *id, static_cast<int>(*to));
             if (!a) return a.error();
             if (!b) return b.error();
             if (!*a) return ApiError::validation({{"from", "no revision " + std::to_string(*from)}});
             if (!*b) return ApiError::validation({{"to", "no revision " + std::to_string(*to)}});
             auto title = lineDiff((*a)->title, (*b)->title);
             auto body = lineDiff((*a)->body, (*b)->body);
             return Json{{"from", *from},
                         {"to", *to},
                         {"title", diffJson(title)},
                         {"body", diffJson(body)},
                         {"unified", unifiedText(body)}};
           });
}

}  // namespace hub::cms::content
