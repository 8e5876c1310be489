// cms/workflow/review_routes.cpp
//
// Submit, approve, reject, withdraw, the queue and review levels. Every move goes through
// transition() inside the handler's transaction, with an audit entry beside it.
#include "cms/workflow/review_routes.h"

#include <algorithm>
#include <charconv>

#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/content/content_store.h"
#include "cms/org/org_tree.h"
#include "cms/workflow/workflow.h"
#include "core/sql/marks.h"

namespace hub::cms::workflow {
namespace {

using auth::Role;

constexpr std::size_t kCommentMax = 2000;

std::vector<std::int64_t> ancestorsOf(CmsContext& ctx, std::int64_t orgId) {
  std::vector<std::int64_t> ids{auth::kRootOrg};
  const std::string path = ctx.orgs.pathOf(orgId);  // "/1/5/77/"
  std::size_t start = 1;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) break;
    std::int64_t id = 0;
    std::from_chars(path.data() + start, path.data() + end, id);
    ids.push_back(id);
    start = end + 1;
  }
  return ids;
}

Result<std::string> commentOf(const Json& body, bool required) {
  if (!body.is_object() || !body.contains("comment") || body["comment"].is_null()) {
    if (required) return makeError("comment", "required: say why");
    return std::string();
  }
  if (!body["comment"].is_string() || body["comment"].get<std::string>().size() > kCommentMax * 4)
    return makeError("comment", "text of at most 2000 characters");
  std::string c = body["comment"].get<std::string>();
  if (required && c.find_first_not_of(" \t\r\n") == std::string::npos)
    return makeError("comment", "required: say why");
  return c;
}

Reply fromTransition(const Error& e) {
  if (e.code == "workflow.stale" || e.code == "workflow.not_allowed")
    return ApiError::conflict(e.code, e.message);
  return e;
}

Result<int> approvalsIn(sql::Executor& db, std::int64_t itemId, int round) {
  auto rows = db.query("SELECT COUNT(*) AS n FROM cms_approvals WHERE item_id = ? AND review_round = ?",
                       {itemId, round});
  if (!rows) return rows.error();
  return static_cast<int>((*rows)[0].getInt("n"));
}

Json transitionJson(const TransitionRecord& t) {
  return Json{{"id", t.id},
              {"actor_id", t.actorId},
              {"actor_name", t.actorName},
              {"from", stateName(t.from)},
              {"to", stateName(t.to)},
              {"comment", t.comment},
              {"at", formatTime(t.at)}};
}

// Loads the item for a review action: 404 outside the actor's view, 403 without `role`.
Result<std::optional<content::Item>> loadFor(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor,
                                             std::int64_t id) {
  auto item = content::getItem(db, id);
  if (!item) return item.error();
  if (!*item || !ctx.access.canSee(actor, (*item)->orgId)) return std::optional<content::Item>();
  return item;
}

// A plain move (submit, withdraw, reject) by an actor with `role`.
Reply simpleMove(CmsContext& ctx, CmsRequest& req, Role role, State from, State to, const char* action,
                 bool commentRequired) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("content");
  auto comment = commentOf(req.body, commentRequired);
  if (!comment) return ApiError::validation({{"comment", comment.error().message}});
  return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
    auto item = loadFor(ctx, tx, req.actor, *id);
    if (!item) return item.error();
    if (!*item) return ApiError::notFound("content");
    if (!ctx.access.can(req.actor, {role}, (*item)->orgId))
      return ApiError::forbidden(
          "auth.forbidden", std::string("you need the ") + std::string(auth::roleName(role)) + " role here");
    auto cur = parseState((*item)->state);
    if (!cur || *cur != from)
      return ApiError::conflict("workflow.stale",
                                "content is " + (*item)->state + ", not " + std::string(stateName(from)));
    if (auto st = transition(tx, req.actor, *id, from, to, *comment, ctx.base.clock); !st)
      return fromTransition(st.error());
    if (to == State::InReview)
      if (auto r = tx.exec("UPDATE cms_content SET review_round = review_round + 1 WHERE id = ?", {*id}); !r)
        return r.error();
    if (auto st = ctx.audit.record(tx, req.actor, action, "content", std::to_string(*id),
                                   Json{{"state", stateName(from)}},
                                   Json{{"state", stateName(to)}, {"comment", *comment}});
        !st)
      return st.error();
    return Json{{"id", *id}, {"state", stateName(to)}};
  });
}

}  // namespace

Result<ReviewLevel> effectiveReviewLevel(CmsContext& ctx, sql::Executor& db, std::int64_t orgId) {
  const auto chain = ancestorsOf(ctx, orgId);
  const sql::Params params(chain.begin(), chain.end());
  auto rows = db.query(
      "SELECT org_id, approvals FROM cms_review_levels WHERE org_id IN (" + sql::marks(params.size()) + ")",
      params);
  if (!rows) return rows.error().wrap("review levels");
  ReviewLevel level;
  std::size_t depth = 0;
  for (const auto& r : *rows) {
    const auto org = r.getInt("org_id");
    const auto at = static_cast<std::size_t>(std::find(chain.begin(), chain.end(), org) - chain.begin()) + 1;
    if (at > depth) {
      depth = at;
      level.approvals = static_cast<int>(r.getInt("approvals"));
      level.setOn = org;
    }
  }
  return level;
}

void addRoutes(CmsContext& ctx) {
  addRoute(
      ctx, http::Method::Post, "/api/v1/content/:id/submit", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
        return simpleMove(ctx, req, Role::Editor, State::Draft, State::InReview, "content.submit", false);
      });
  addRoute(ctx, http::Method::Post, "/api/v1/content/:id/withdraw", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             return simpleMove(ctx, req, Role::Editor, State::InReview, State::Draft, "content.withdraw",
                               false);
           });
  addRoute(
      ctx, http::Method::Post, "/api/v1/content/:id/reject", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
        return simpleMove(ctx, req, Role::Reviewer, State::InReview, State::Draft, "content.reject", true);
      });

  addRoute(
      ctx, http::Method::Post, "/api/v1/content/:id/approve", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("content");
        auto comment = commentOf(req.body, false);
        if (!comment) return ApiError::validation({{"comment", comment.error().message}});
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto item = loadFor(ctx, tx, req.actor, *id);
          if (!item) return item.error();
          if (!*item) return ApiError::notFound("content");
          if (!ctx.access.can(req.actor, {Role::Reviewer}, (*item)->orgId))
            return ApiError::forbidden("auth.forbidden", "you need the reviewer role here");
          if ((*item)->state != "in_review")
            return ApiError::conflict("workflow.stale", "content is " + (*item)->state + ", not in_review");
          auto authorIds = content::authors(tx, *id);
          if (!authorIds) return authorIds.error();
          authorIds->push_back((*item)->createdBy);
          if (std::find(authorIds->begin(), authorIds->end(), req.actor.userId) != authorIds->end())
            return ApiError::forbidden("workflow.own_content", "nobody approves their own content");
          const int round = (*item)->reviewRound;
          auto already = tx.query(
              "SELECT 1 AS x FROM cms_approvals WHERE item_id = ? AND review_round = ? AND reviewer_id = ?",
              {*id, round, req.actor.userId});
          if (!already) return already.error();
          if (!already->empty())
            return ApiError::conflict("workflow.already_approved", "you approved this round already");
          const auto now = nowSeconds(ctx.base.clock);
          if (auto r = tx.exec("INSERT INTO cms_approvals (item_id, review_round, reviewer_id, created_at) "
                               "VALUES (?, ?, ?, ?)",
                               {*id, round, req.actor.userId, now});
              !r)
            return r.error();
          auto count = approvalsIn(tx, *id, round);
          if (!count) return count.error();
          auto level = effectiveReviewLevel(ctx, tx, (*item)->orgId);
          if (!level) return level.error();
          State state = State::InReview;
          if (*count >= level->approvals) {
            if (auto st = transition(tx, req.actor, *id, State::InReview, State::Approved, *comment,
                                     ctx.base.clock);
                !st)
              return fromTransition(st.error());
            state = State::Approved;
          }
          if (auto st = ctx.audit.record(tx, req.actor, "content.approve", "content", std::to_string(*id),
                                         Json{{"state", "in_review"}},
                                         Json{{"state", stateName(state)},
                                              {"approvals", *count},
                                              {"required", level->approvals},
                                              {"comment", *comment}});
              !st)
            return st.error();
          return Json{{"id", *id},
                      {"state", stateName(state)},
                      {"approvals", *count},
                      {"required", level->approvals}};
        });
      });

  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/transitions", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("content");
             auto item = loadFor(ctx, ctx.base.db, req.actor, *id);
             if (!item) return item.error();
             if (!*item) return ApiError::notFound("content");
             auto h = history(ctx.base.db, *id);
             if (!h) return h.error();
             Json out = Json::array();
             for (const auto& t : *h) out.push_back(transitionJson(t));
             return Json{{"items", out}};
           });

  addRoute(ctx, http::Method::Get, "/api/v1/review/queue", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto limit = req.intQuery("limit", 50, 1, 500);
    if (!limit) return ApiError::validation({{"limit", "1..500"}});
    auto filter = ctx.access.pathFilter(req.actor, {Role::Reviewer});
    sql::Params params = filter.params;
    params.emplace_back(req.actor.userId);
    params.emplace_back(req.actor.userId);
    params.emplace_back(req.actor.userId);
    params.emplace_back(*limit);
    auto rows = ctx.base.db.query(
        "SELECT c.id, c.org_id, c.type, c.title, c.updated_at, c.created_by, c.review_round,"
        " (SELECT COUNT(*) FROM cms_approvals a WHERE a.item_id = c.id AND a.review_round = c.review_round) "
        "AS approvals"
        " FROM cms_content c JOIN cms_orgs o ON o.id = c.org_id WHERE c.state = 'in_review' AND " +
            filter.sql +
            " AND c.created_by <> ?"
            " AND NOT EXISTS (SELECT 1 FROM cms_content_revisions r WHERE r.content_id = c.id AND r.actor_id "
            "= ?)"
            " AND NOT EXISTS (SELECT 1 FROM cms_approvals a WHERE a.item_id = c.id AND a.review_round = "
            "c.review_round"
            " AND a.reviewer_id = ?) ORDER BY c.updated_at, c.id LIMIT ?",
        params);
    if (!rows) return rows.error();
    Json items = Json::array();
    for (const auto& r : *rows) {
      auto level = effectiveReviewLevel(ctx, ctx.base.db, r.getInt("org_id"));
      if (!level) return level.error();
      items.push_back({{"id", r.getInt("id")},
                       {"org_id", r.getInt("org_id")},
                       {"type", r.getString("type")},
                       {"title", r.getString("title")},
                       {"created_by", r.getInt("created_by")},
                       {"updated_at", r.getInt("updated_at")},
                       {"approvals", r.getInt("approvals")},
                       {"required", level->approvals}});
    }
    return Json{{"items", items}};
  });

  addRoute(ctx, http::Method::Get, "/api/v1/review-levels/:org", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto org = req.idParam("org");
             if (!org || !ctx.orgs.exists(*org) || !ctx.access.canSee(req.actor, *org))
               return ApiError::notFound("organisation");
             auto level = effectiveReviewLevel(ctx, ctx.base.db, *org);
             if (!level) return level.error();
             return Json{{"org_id", *org},
                         {"approvals", level->approvals},
                         {"inherited", level->setOn != *org},
                         {"set_on", level->setOn < 0 ? Json(nullptr) : Json(level->setOn)}};
           });

  addRoute(
      ctx, http::Method::Put, "/api/v1/review-levels/:org", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
        auto org = req.idParam("org");
        if (!org || !ctx.orgs.exists(*org) || !ctx.access.canSee(req.actor, *org))
          return ApiError::notFound("organisation");
        if (!ctx.access.can(req.actor, {Role::Admin}, *org))
          return ApiError::forbidden("auth.forbidden", "only admins set review levels");
        if (!req.body.is_object() || !req.body.contains("approvals") ||
            !req.body["approvals"].is_number_integer() || req.body["approvals"].get<std::int64_t>() < 1 ||
            req.body["approvals"].get<std::int64_t>() > 5)
          return ApiError::validation({{"approvals", "a whole number from 1 to 5"}});
        const auto approvals = req.body["approvals"].get<std::int64_t>();
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto before = effectiveReviewLevel(ctx, tx, *org);
          if (!before) return before.error();
          if (auto r = tx.exec("DELETE FROM cms_review_levels WHERE org_id = ?", {*org}); !r)
            return r.error();
          if (auto r =
                  tx.exec("INSERT INTO cms_review_levels (org_id, approvals, updated_at) VALUES (?, ?, ?)",
                          {*org, approvals, nowSeconds(ctx.base.clock)});
              !r)
            return r.error();
          if (auto st =
                  ctx.audit.record(tx, req.actor, "review_level.set", "org", std::to_string(*org),
                                   Json{{"approvals", before->approvals}}, Json{{"approvals", approvals}});
              !st)
            return st.error();
          return Json{{"org_id", *org}, {"approvals", approvals}, {"inherited", false}, {"set_on", *org}};
        });
      });

  addRoute(ctx, http::Method::Delete, "/api/v1/review-levels/:org", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto org = req.idParam("org");
             if (!org || !ctx.orgs.exists(*org) || !ctx.access.canSee(req.actor, *org))
               return ApiError::notFound("organisation");
             if (!ctx.access.can(req.actor, {Role::Admin}, *org))
               return ApiError::forbidden("auth.forbidden", "only admins set review levels");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto r = tx.exec("DELETE FROM cms_review_levels WHERE org_id = ?", {*org}); !r)
                 return r.error();
               if (auto st = ctx.audit.record(tx, req.actor, "review_level.clear", "org",
                                              std::to_string(*org), nullptr, nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
           });
}

}  // namespace hub::cms::workflow
