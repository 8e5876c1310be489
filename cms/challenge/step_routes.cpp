// cms/challenge/step_routes.cpp
//
// Step submissions from the organisation's app (bearer app credential, Idempotency-Key), a
// member joining through a signed link, and the admins' review of held reports. Submissions
// take the CMS route's steps by hand (worker pool, Cache-Control, counters) because they are
// answered asynchronously, by the StepBatcher after its group commit (step_batcher.h); with a
// cached app credential their checks run on the HTTP loop thread itself.
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/challenge/challenge_module.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/step_apply.h"
#include "cms/challenge/step_batcher.h"
#include "cms/challenge/step_submit.h"
#include "cms/org/org_tree.h"
#include "core/http/json_body.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/sql/change_watcher.h"

namespace hub::cms::challenge {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

// The cheap checks (credential, rate limit, key, JSON), then the batcher, for one report and for
// a batch of them (step_submit.h). They run on the HTTP loop thread when the credential is in
// the cache (no hand-off to a worker); a credential that needs SQL sends the request to a
// worker first.
void addSteps(const std::shared_ptr<Module>& m) {
  CmsContext& ctx = m->ctx;
  auto batcher = std::make_shared<StepBatcher>(*m, 1);
  ctx.onStop([batcher] { batcher->stop(); });
  std::weak_ptr<Module> weak = m;
  ctx.base.changes.onChange(AppCredentials::kTopic, [weak](std::string_view, std::int64_t) {
    if (auto live = weak.lock()) live->apps.forgetAll();
  });
  ctx.base.changes.onChange(MemberCache::kTopic, [weak](std::string_view, std::int64_t) {
    if (auto live = weak.lock()) live->members.forgetAll();
  });
  ctx.base.changes.onChange(ChallengeCache::kTopic, [weak](std::string_view, std::int64_t) {
    if (auto live = weak.lock()) live->challenges.forgetAll();
  });
  auto& requests = ctx.base.metrics.counter("hub_cms_requests_total", "CMS API requests answered");
  auto& refusedCount = ctx.base.metrics.counter(
      "hub_cms_refused_total", "CMS API requests refused before the handler (401, 403, 400)");
  auto& errors = ctx.base.metrics.counter("hub_cms_errors_total", "CMS API answers with status 500 or above");
  Finish finish = [&errors](const Reply& reply) {
    if (reply.status() >= 500) errors.inc();
    http::Response r = reply.toResponse();
    r.header("Cache-Control", "no-store");
    return r;
  };
  auto precheck = [m, batcher, finish, &refusedCount](const http::Request& req, const http::Responder& res,
                                                      Result<App> app, bool batch) {
    if (!app) {
      if (app.error().code != "challenge.bad_credential") return res.send(finish(app.error()));
      logger()->info("[peer={}] steps: bad app credential", req.peer);
      return res.send(finish(ApiError::unauthenticated(app.error().code, app.error().message)));
    }
    if (batch) return submitBatch(*m, *batcher, req, res, *app, finish, refusedCount);
    if (int wait = m->limiter.take(std::to_string(app->id)); wait > 0)
      return res.send(finish(ApiError::tooManyRequests(
          "challenge.rate_limited", "too many submissions from this app credential", wait)));
    const std::string key(req.header("idempotency-key"));
    if (!validIdempotencyKey(key))
      return res.send(finish(ApiError::badRequest("idempotency.key_required",
                                                  "send an Idempotency-Key header of 1 to 64 characters")));
    auto cid = parseChallengeId(req.param("id"));
    if (!cid) return res.send(finish(ApiError::notFound("challenge")));
    Json body;
    if (!req.body.empty()) {
      auto parsed = http::parseJsonBody(req);
      if (!parsed) {
        refusedCount.inc();
        logger()->info("[peer={}] steps: bad JSON", req.peer);
        return res.send(finish(ApiError::badRequest("bad_json", parsed.error().message)));
      }
      body = std::move(*parsed);
    }
    // Over the bytes as sent: the same body is the same bytes (the app resends its request).
    std::string hash = bodyHash(*cid, req.body);
    batcher->submit(Submission{std::move(*app), key, std::move(hash), *cid, std::move(body), req.peer,
                               [res, finish](Reply reply) { res.send(finish(reply)); }});
  };
  for (const bool batch : {false, true}) {
    const std::string path = batch ? "/api/v1/challenges/:id/steps/batch" : "/api/v1/challenges/:id/steps";
    ctx.base.http.routeAsync(
        http::Method::Post, path,
        [m, &ctx, precheck, finish, &requests, batch](http::Request req, http::Responder res) {
          requests.inc();
          try {
            if (auto cached = m->apps.authenticateCached(req.header("authorization")))
              return precheck(req, res, std::move(*cached), batch);
          } catch (const std::exception& e) {
            return res.send(http::Response::error(500, "cms.exception", e.what()));
          }
          auto st = ctx.base.workers.submit([m, precheck, req = std::move(req), res, batch] {
            try {
              precheck(req, res, m->apps.authenticate(req.header("authorization")), batch);
            } catch (const std::exception& e) {
              res.send(http::Response::error(500, "cms.exception", e.what()));
            }
          });
          if (!st) res.send(finish(ApiError{503, "busy", "server busy, try again", {}, {}}));
        });
  }
}

void addJoin(const std::shared_ptr<Module>& m) {
  addRoute(
      m->ctx, http::Method::Post, "/api/v1/challenges/:id/join", Guard::Public,
      [m](CmsRequest& req) -> Reply {
        Challenge c;
        Member mem;
        if (auto r = loadForMember(*m, req, c, mem); r.isError()) return r;
        bool joined = false;
        Status st = m->ctx.base.db.transaction([&](sql::Transaction& tx) -> Status {
          auto j = ensureParticipant(tx, c, mem, nowSeconds(m->ctx.base.clock));
          if (!j) return j.error();
          joined = *j;
          return {};
        });
        if (!st) return st.error();
        if (joined) {
          Applied a;
          a.joined = true;
          feedBoards(*m, c, mem, c.firstDay, a);
        }
        return Json{
            {"challenge_id", c.id}, {"member_no", mem.memberNo}, {"joined", joined}, {"participant", true}};
      });
}

Json heldJson(const sql::Row& r) {
  return {{"id", r.getInt("id")},          {"member_no", r.getString("member_no")},
          {"name", r.getString("name")},   {"date", formatDay(static_cast<Day>(r.getInt("day")))},
          {"steps", r.getInt("steps")},    {"source", r.getString("source")},
          {"state", r.getString("state")}, {"created_at", formatTime(r.getInt("created_at"))}};
}

void addHeld(const std::shared_ptr<Module>& m) {
  CmsContext& routes = m->ctx;
  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/held", Guard::Signed,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             if (auto r = loadForActor(*m, req, c); r.isError()) return r;
             if (!m->ctx.access.can(req.actor, {Role::Admin}, c.orgId)) return ApiError::forbidden();
             const std::string state(req.query("state").value_or("pending"));
             if (state != "pending" && state != "approved" && state != "rejected")
               return ApiError::validation({{"state", "pending, approved or rejected"}});
             auto rows = m->ctx.base.db.query(
                 "SELECT h.id, m.member_no, m.name, h.day, h.steps, h.source, h.state, h.created_at FROM "
                 "cms_challenge_held h "
                 "JOIN cms_members m ON m.id = h.member_id WHERE h.challenge_id = ? AND h.state = ? ORDER BY "
                 "h.id LIMIT 500",
                 {c.id, state});
             if (!rows) return rows.error();
             Json list = Json::array();
             for (const auto& r : *rows) list.push_back(heldJson(r));
             return Json{{"held", list}};
           });

  for (const std::string action : {"approve", "reject"}) {
    addRoute(
        routes, http::Method::Post, "/api/v1/challenges/:id/held/:hid/" + action, Guard::Signed,
        [m, action](CmsRequest& req) -> Reply {
          CmsContext& ctx = m->ctx;
          Challenge c;
          if (auto r = loadForActor(*m, req, c); r.isError()) return r;
          if (!ctx.access.can(req.actor, {Role::Admin}, c.orgId)) return ApiError::forbidden();
          auto hid = req.idParam("hid");
          if (!hid) return ApiError::notFound("held report");
          Member mem;
          Day day = 0;
          Applied applied;
          const auto now = nowSeconds(ctx.base.clock);
          Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
            auto rows = tx.query(
                std::string(
                    "SELECT h.id, h.member_id, m.member_no, m.name, m.org_id, h.day, h.steps, h.source, "
                    "h.state, h.created_at FROM cms_challenge_held h JOIN cms_members m ON m.id = "
                    "h.member_id WHERE h.id = ? AND h.challenge_id = ?") +
                    (tx.backend() == "mysql" ? " FOR UPDATE" : ""),
                {*hid, c.id});
            if (!rows) return rows.error();
            if (rows->empty()) return ApiError::notFound("held report");
            const auto& r = (*rows)[0];
            const Json before = heldJson(r);
            if (r.getString("state") != "pending")
              return ApiError::conflict("held.decided", "this report was already " + r.getString("state"));
            if (auto u = tx.exec(
                    "UPDATE cms_challenge_held SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                    {std::string(action == "approve" ? "approved" : "rejected"), req.actor.userId, now,
                     *hid});
                !u)
              return u.error();
            Json after = before;
            after["state"] = action == "approve" ? "approved" : "rejected";
            if (auto st = ctx.audit.record(tx, req.actor, "challenge.held." + action, "challenge_held",
                                           std::to_string(*hid), before, after);
                !st)
              return st.error();
            if (action == "reject") return after;
            mem = Member{r.getInt("member_id"), r.getString("member_no"), r.getString("name"),
                         r.getInt("org_id")};
            day = static_cast<Day>(r.getInt("day"));
            auto a = applyReport(tx, req.actor, c, mem, day, static_cast<int>(r.getInt("steps")), now,
                                 "held report " + std::to_string(*hid) + " approved");
            if (!a) return a.error();
            applied = *a;
            after["result"] = appliedJson(c, mem, day, applied);
            return after;
          });
          if (!reply.isError() && action == "approve") feedBoards(*m, c, mem, day, applied);
          return reply;
        });
  }
}

}  // namespace

void addStepRoutes(std::shared_ptr<Module> m) {
  addSteps(m);
  addJoin(m);
  addHeld(m);
}

}  // namespace hub::cms::challenge
