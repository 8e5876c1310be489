// cms/challenge/challenge_routes.cpp
//
// The module's shared parts and the admin side: challenges (CRUD, Editor or Admin on the
// challenge's organisation; others who can see it read it) and app credentials (Admin).
#include "cms/challenge/challenge_routes.h"

#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/challenge/challenge_module.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/memory_ranking.h"
#include "cms/challenge/redis_ranking.h"
#include "cms/org/org_tree.h"
#include "core/bus/redis_connection.h"
#include "core/log/log.h"
#include "core/sql/change_feed.h"

namespace hub::cms::challenge {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

// The engine: [cms] challenge_ranking, or the bus's Redis when it is one, else memory.
std::unique_ptr<Ranking> makeRanking(const config::Config& config) {
  std::string url = config.cms.challengeRanking;
  if (url.empty() && config.bus.url.rfind("redis://", 0) == 0) url = config.bus.url;
  if (url.rfind("redis://", 0) == 0) {
    auto endpoint = bus::RedisEndpoint::parse(url);
    if (endpoint) {
      logger()->info("leaderboards on Redis {}", endpoint->url());
      return std::make_unique<RedisRanking>(*endpoint, config.cms.challengeRankingPrefix);
    }
    logger()->error("challenge_ranking {}: {}; leaderboards in memory", url, endpoint.error().message);
  }
  return std::make_unique<MemoryRanking>();
}

void addCrud(const std::shared_ptr<Module>& m) {
  CmsContext& routes = m->ctx;
  addRoute(routes, http::Method::Post, "/api/v1/challenges", Guard::Signed,
           [&ctx = routes](CmsRequest& req) -> Reply {
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             std::map<std::string, std::string> errors;
             Challenge c;
             readChallenge(req.body, true, ctx.orgs, c, errors);
             if (c.orgId && !errors.count("org_id") && !ctx.access.can(req.actor, {Role::Editor}, c.orgId))
               return ApiError::forbidden();
             if (!errors.empty()) return ApiError::validation(errors);
             c.createdBy = req.actor.userId;
             c.createdAt = c.updatedAt = nowSeconds(ctx.base.clock);
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto id = insertChallenge(tx, c);
               if (!id) return id.error();
               c.id = *id;
               if (auto st = ctx.audit.record(tx, req.actor, "challenge.create", "challenge",
                                              std::to_string(c.id), nullptr, toJson(c));
                   !st)
                 return st.error();
               return Reply::created(toJson(c));
             });
           });

  addRoute(routes, http::Method::Get, "/api/v1/challenges", Guard::Signed,
           [&ctx = routes](CmsRequest& req) -> Reply {
             auto rows = ctx.base.db.query("SELECT id FROM cms_challenges ORDER BY id DESC LIMIT 1000");
             if (!rows) return rows.error();
             Json list = Json::array();
             for (const auto& r : *rows) {
               auto c = getChallenge(ctx.base.db, r.getInt("id"));
               if (!c) return c.error();
               if (*c && ctx.access.canSee(req.actor, (*c)->orgId)) list.push_back(toJson(**c));
             }
             return Json{{"challenges", list}};
           });

  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id", Guard::Signed, [m](CmsRequest& req) -> Reply {
    Challenge c;
    if (auto r = loadForActor(*m, req, c); r.isError()) return r;
    return toJson(c);
  });

  addRoute(routes, http::Method::Patch, "/api/v1/challenges/:id", Guard::Signed,
           [m](CmsRequest& req) -> Reply {
             CmsContext& ctx = m->ctx;
             Challenge c;
             if (auto r = loadForActor(*m, req, c); r.isError()) return r;
             if (!ctx.access.can(req.actor, {Role::Editor}, c.orgId)) return ApiError::forbidden();
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             const Json before = toJson(c);
             std::map<std::string, std::string> errors;
             readChallenge(req.body, false, ctx.orgs, c, errors);
             if (!errors.count("org_id") && !ctx.access.can(req.actor, {Role::Editor}, c.orgId))
               return ApiError::forbidden();
             if (!errors.empty()) return ApiError::validation(errors);
             c.updatedAt = nowSeconds(ctx.base.clock);
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = updateChallenge(tx, c); !st) return st.error();
               if (auto st = sql::bumpChange(tx, ChallengeCache::kTopic); !st) return st.error();
               if (auto st = ctx.audit.record(tx, req.actor, "challenge.update", "challenge",
                                              std::to_string(c.id), before, toJson(c));
                   !st)
                 return st.error();
               return toJson(c);
             });
             m->challenges.forgetAll();  // this node at once; the others at their next poll
             return reply;
           });

  addRoute(
      routes, http::Method::Delete, "/api/v1/challenges/:id", Guard::Signed, [m](CmsRequest& req) -> Reply {
        CmsContext& ctx = m->ctx;
        Challenge c;
        if (auto r = loadForActor(*m, req, c); r.isError()) return r;
        if (!ctx.access.can(req.actor, {Role::Admin}, c.orgId)) return ApiError::forbidden();
        Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto rows =
              tx.query("SELECT COUNT(*) AS n FROM cms_challenge_participants WHERE challenge_id = ?", {c.id});
          if (!rows) return rows.error();
          if ((*rows)[0].getInt("n") > 0)
            return ApiError::conflict("challenge.has_participants", "members take part: the challenge stays");
          if (auto r = tx.exec("DELETE FROM cms_challenges WHERE id = ?", {c.id}); !r) return r.error();
          if (auto st = sql::bumpChange(tx, ChallengeCache::kTopic); !st) return st.error();
          if (auto st = ctx.audit.record(tx, req.actor, "challenge.delete", "challenge", std::to_string(c.id),
                                         toJson(c), nullptr);
              !st)
            return st.error();
          return Reply::noContent();
        });
        m->challenges.forgetAll();
        return reply;
      });
}

Json appJson(const sql::Row& r) {
  return {{"id", r.getInt("id")},
          {"org_id", r.getInt("org_id")},
          {"name", r.getString("name")},
          {"created_at", formatTime(r.getInt("created_at"))},
          {"revoked", !r.isNull("revoked_at")}};
}

void addApps(const std::shared_ptr<Module>& m) {
  CmsContext& routes = m->ctx;
  addRoute(routes, http::Method::Post, "/api/v1/challenge-apps", Guard::Signed,
           [m](CmsRequest& req) -> Reply {
             CmsContext& ctx = m->ctx;
             const Json& b = req.body;
             std::map<std::string, std::string> errors;
             if (!b.is_object() || !b.contains("name") || !b["name"].is_string() ||
                 b["name"].get<std::string>().empty() || b["name"].get<std::string>().size() > 200)
               errors["name"] = "1 to 200 bytes of text";
             if (!b.is_object() || !b.contains("org_id") || !b["org_id"].is_number_integer() ||
                 (b["org_id"].get<std::int64_t>() != 0 && !ctx.orgs.exists(b["org_id"].get<std::int64_t>())))
               errors["org_id"] = "an existing organisation id (0: the whole tree)";
             if (!errors.empty()) return ApiError::validation(errors);
             const auto orgId = b["org_id"].get<std::int64_t>();
             if (!ctx.access.can(req.actor, {Role::Admin}, orgId)) return ApiError::forbidden();
             const std::string secret = AppCredentials::newSecret();
             auto sealed = m->apps.seal(secret);
             if (!sealed) return sealed.error();
             const auto now = nowSeconds(ctx.base.clock);
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto r = tx.insert(
                   "INSERT INTO cms_challenge_apps (org_id, name, secret_sealed, created_by, created_at) "
                   "VALUES (?, "
                   "?, ?, ?, ?)",
                   {orgId, b["name"].get<std::string>(), *sealed, req.actor.userId, now});
               if (!r) return r.error();
               Json out = {{"id", r->lastInsertId},
                           {"org_id", orgId},
                           {"name", b["name"]},
                           {"created_at", formatTime(now)}};
               if (auto st = ctx.audit.record(tx, req.actor, "challenge_app.create", "challenge_app",
                                              std::to_string(r->lastInsertId), nullptr, out);
                   !st)
                 return st.error();
               out["secret"] = secret;
               out["bearer"] = std::to_string(r->lastInsertId) + "." + secret;
               return Reply::created(out);
             });
           });

  addRoute(
      routes, http::Method::Get, "/api/v1/challenge-apps", Guard::Signed,
      [&ctx = routes](CmsRequest& req) -> Reply {
        auto rows = ctx.base.db.query(
            "SELECT id, org_id, name, created_at, revoked_at FROM cms_challenge_apps ORDER BY id DESC LIMIT "
            "1000");
        if (!rows) return rows.error();
        Json list = Json::array();
        for (const auto& r : *rows)
          if (ctx.access.can(req.actor, {Role::Admin}, r.getInt("org_id"))) list.push_back(appJson(r));
        return Json{{"apps", list}};
      });

  addRoute(
      routes, http::Method::Delete, "/api/v1/challenge-apps/:id", Guard::Signed,
      [m](CmsRequest& req) -> Reply {
        CmsContext& ctx = m->ctx;
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("app credential");
        Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto rows = tx.query(
              "SELECT id, org_id, name, created_at, revoked_at FROM cms_challenge_apps WHERE id = ?", {*id});
          if (!rows) return rows.error();
          if (rows->empty() || !ctx.access.can(req.actor, {Role::Admin}, (*rows)[0].getInt("org_id")))
            return ApiError::notFound("app credential");
          const Json before = appJson((*rows)[0]);
          if (auto r =
                  tx.exec("UPDATE cms_challenge_apps SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                          {nowSeconds(ctx.base.clock), *id});
              !r)
            return r.error();
          Json after = before;
          after["revoked"] = true;
          if (auto st = ctx.audit.record(tx, req.actor, "challenge_app.revoke", "challenge_app",
                                         std::to_string(*id), before, after);
              !st)
            return st.error();
          if (auto st = sql::bumpChange(tx, AppCredentials::kTopic); !st) return st.error();
          return Reply::noContent();
        });
        m->apps.forget(*id);  // after the commit (a lookup meanwhile may have cached it again)
        return reply;
      });
}

}  // namespace

Module::Module(CmsContext& c, std::unique_ptr<Ranking> engine, std::optional<accounts::CredentialBox> box)
    : ctx(c),
      ranking(std::move(engine)),
      boards(*ranking, c.base.db, c.orgs),
      apps(c.base.db, std::move(box), c.base.clock),
      limiter(c.base.clock, c.config.challengeAppPerMinute) {}

Result<std::optional<Member>> findMember(sql::Executor& db, std::string_view memberNo) {
  auto rows = db.query("SELECT id, member_no, name, org_id FROM cms_members WHERE member_no = ?",
                       {std::string(memberNo)});
  if (!rows) return rows.error().wrap("member");
  if (rows->empty()) return std::optional<Member>();
  const auto& r = (*rows)[0];
  return std::optional<Member>(
      Member{r.getInt("id"), r.getString("member_no"), r.getString("name"), r.getInt("org_id")});
}

Reply loadForActor(Module& m, CmsRequest& req, Challenge& c) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("challenge");
  auto got = getChallenge(m.ctx.base.db, *id);
  if (!got) return got.error();
  if (!*got || !m.ctx.access.canSee(req.actor, (*got)->orgId)) return ApiError::notFound("challenge");
  c = std::move(**got);
  return Reply::noContent();
}

Reply loadForMember(Module& m, CmsRequest& req, Challenge& c, Member& member) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("challenge");
  MemberLink link;
  auto q = [&](const char* name) { return std::string(req.query(name).value_or("")); };
  const std::string app = q("app"), expires = q("expires");
  try {
    link.appId = app.empty() ? 0 : std::stoll(app);
    link.expires = expires.empty() ? 0 : std::stoll(expires);
  } catch (const std::exception&) {
    return ApiError::unauthenticated("link.bad_signature", "not a member link");
  }
  link.memberNo = q("member");
  link.sig = q("sig");
  auto found = m.apps.find(link.appId);
  if (!found) return found.error();
  const std::string secret = *found ? (*found)->secret : std::string();
  if (auto st =
          verifyMemberLink(link, secret, nowSeconds(m.ctx.base.clock), m.ctx.config.challengeLinkMaxSeconds);
      !st) {
    logger()->info("[challenge={} app={}] member link refused: {}", *id, link.appId, st.error().code);
    return ApiError::unauthenticated(st.error().code, st.error().message);
  }
  auto got = getChallenge(m.ctx.base.db, *id);
  if (!got) return got.error();
  if (!*got || !m.ctx.orgs.isWithin((*got)->orgId, (*found)->orgId)) return ApiError::notFound("challenge");
  auto mem = findMember(m.ctx.base.db, link.memberNo);
  if (!mem) return mem.error();
  if (!*mem) return ApiError{403, "member.unknown", "no such member", {}, {}};
  if (!m.ctx.orgs.isWithin((*mem)->orgId, (*got)->orgId))
    return ApiError{403, "member.outside_scope", "the member's organisation does not take part", {}, {}};
  c = std::move(**got);
  member = std::move(**mem);
  return Reply::noContent();
}

void addRoutes(CmsContext& ctx) {
  std::optional<accounts::CredentialBox> box;
  if (auto b =
          accounts::CredentialBox::load(ctx.base.config.cmsContent.credentialsKey, ctx.base.config.data.dir))
    box = std::move(*b);
  else
    logger()->warn("credentials key: {}; app credentials cannot be made or checked", b.error().message);
  auto m = std::make_shared<Module>(ctx, makeRanking(ctx.base.config), std::move(box));
  addCrud(m);
  addApps(m);
  addStepRoutes(m);
  addBoardRoutes(m);
}

}  // namespace hub::cms::challenge
