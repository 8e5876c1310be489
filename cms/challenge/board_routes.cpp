// cms/challenge/board_routes.cpp
//
// Reading the boards (top pages, my rank with neighbours, my organisation within its parent),
// the member page, and the admin side: rebuild from SQL (admin bearer token), results CSV, the
// audit of totals and statistics per day. Readers are members with a signed link (query app,
// member, expires, sig) or signed-in CMS users who can see the challenge's organisation.
#include <chrono>
#include <map>
#include <set>

#include "cms/accounts/csv.h"
#include "cms/api/time.h"
#include "cms/auth/access.h"
#include "cms/auth/session_store.h"
#include "cms/challenge/certificate.h"
#include "cms/challenge/challenge_module.h"
#include "cms/challenge/total_audit.h"
#include "cms/org/org_tree.h"
#include "core/http/bearer_auth.h"
#include "core/log/log.h"

namespace hub::cms::challenge {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

// Who reads: a member (signed link) or a CMS user; `member` set for a member.
Reply loadReader(Module& m, CmsRequest& req, Challenge& c, std::optional<Member>& member) {
  if (req.query("sig")) {
    Member mem;
    if (auto r = loadForMember(m, req, c, mem); r.isError()) return r;
    member = std::move(mem);
    return Reply::noContent();
  }
  auto actor = m.ctx.sessions.authenticate(req.http, false);
  if (!actor) return ApiError::unauthenticated(actor.error().code, actor.error().message);
  CmsRequest signedReq{req.http, *actor, Json(), m.ctx};
  return loadForActor(m, signedReq, c);
}

struct BoardChoice {
  std::string name;
  bool orgs = false;
};

// The board named by the query (board, by, level, date); an ApiError when it makes no sense.
Reply chooseBoard(Module& m, CmsRequest& req, const Challenge& c, BoardChoice& out) {
  const std::string board(req.query("board").value_or("individuals"));
  const std::string by(req.query("by").value_or("total"));
  Day day = shanghaiDay(nowSeconds(m.ctx.base.clock));
  if (auto d = req.query("date")) {
    auto parsed = parseDay(*d);
    if (!parsed) return ApiError::validation({{"date", "a day YYYY-MM-DD"}});
    day = *parsed;
  }
  if (board == "individuals") {
    if (by == "total")
      out.name = Boards::individuals(c.id);
    else if (by == "day")
      out.name = Boards::individualsDay(c.id, day);
    else if (by == "week")
      out.name = Boards::individualsWeek(c.id, weekOf(day));
    else
      return ApiError::validation({{"by", "total, day or week for individuals"}});
    return Reply::noContent();
  }
  if (board != "orgs") return ApiError::validation({{"board", "individuals or orgs"}});
  auto level = teamLevelFromName(req.query("level").value_or(teamLevelName(c.teamLevel)));
  if (!level || static_cast<int>(*level) > static_cast<int>(c.teamLevel))
    return ApiError::validation({{"level", std::string("city down to the challenge's team level (") +
                                               teamLevelName(c.teamLevel) + ")"}});
  static const std::map<std::string, OrgMetric> metrics = {{"total", OrgMetric::Total},
                                                           {"participants", OrgMetric::Participants},
                                                           {"average", OrgMetric::Average},
                                                           {"rate", OrgMetric::Rate}};
  auto it = metrics.find(by);
  if (it == metrics.end())
    return ApiError::validation({{"by", "total, participants, average or rate for orgs"}});
  out.name = Boards::orgs(c.id, *level, it->second);
  out.orgs = true;
  if (it->second == OrgMetric::Average || it->second == OrgMetric::Rate)
    if (auto st = m.boards.settle(c.id); !st) return st.error();  // the batches fed since the last settle
  return Reply::noContent();
}

// Entries as JSON, with member numbers and names, or organisation names.
Result<Json> entriesJson(Module& m, const std::vector<RankEntry>& entries, bool orgs) {
  Json list = Json::array();
  std::map<std::int64_t, std::pair<std::string, std::string>> members;
  if (!orgs && !entries.empty()) {
    std::string sql = "SELECT id, member_no, name FROM cms_members WHERE id IN (";
    sql::Params params;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      sql += i ? ",?" : "?";
      params.emplace_back(entries[i].id);
    }
    auto rows = m.ctx.base.db.query(sql + ")", params);
    if (!rows) return rows.error();
    for (const auto& r : *rows) members[r.getInt("id")] = {r.getString("member_no"), r.getString("name")};
  }
  for (const auto& e : entries) {
    Json j = {{"rank", e.rank}, {"score", e.score}};
    if (orgs) {
      auto org = m.ctx.orgs.get(e.id);
      j["org_id"] = e.id;
      j["name"] = org ? org->name : "";
    } else {
      j["member_no"] = members[e.id].first;
      j["name"] = members[e.id].second;
    }
    list.push_back(std::move(j));
  }
  return list;
}

void addRead(const std::shared_ptr<Module>& m) {
  CmsContext& routes = m->ctx;
  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/leaderboard", Guard::Public,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             std::optional<Member> member;
             if (auto r = loadReader(*m, req, c, member); r.isError()) return r;
             BoardChoice b;
             if (auto r = chooseBoard(*m, req, c, b); r.isError()) return r;
             auto offset = req.intQuery("offset", 0, 0, 10000000);
             auto limit = req.intQuery("limit", 20, 1, 100);
             if (!offset || !limit)
               return ApiError::validation({{"offset", "0 or more"}, {"limit", "1 to 100"}});
             auto top = m->ranking->top(b.name, *offset, *limit);
             if (!top) return top.error();
             auto size = m->ranking->size(b.name);
             if (!size) return size.error();
             auto list = entriesJson(*m, *top, b.orgs);
             if (!list) return list.error();
             return Json{{"board", b.name}, {"size", *size}, {"offset", *offset}, {"entries", *list}};
           });

  // My place (a member's, or their organisation's at `level` for board=orgs) with neighbours.
  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/leaderboard/me", Guard::Public,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             Member mem;
             if (auto r = loadForMember(*m, req, c, mem); r.isError()) return r;
             BoardChoice b;
             if (auto r = chooseBoard(*m, req, c, b); r.isError()) return r;
             std::int64_t id = mem.id;
             if (b.orgs) {
               auto level = teamLevelFromName(req.query("level").value_or(teamLevelName(c.teamLevel)));
               id = teamAt(m->ctx.orgs, mem.orgId, *level);
             }
             auto around = m->ranking->around(b.name, id, 3, 3);
             if (!around) return around.error();
             auto list = entriesJson(*m, *around, b.orgs);
             if (!list) return list.error();
             Json me = nullptr;
             for (const auto& e : *list)
               if ((b.orgs && e["org_id"] == id) || (!b.orgs && e["member_no"] == mem.memberNo)) me = e;
             return Json{{"board", b.name}, {"me", me}, {"entries", *list}};
           });

  // My organisation's rank among its parent's organisations at `level`, by total.
  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/my-org", Guard::Public,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             Member mem;
             if (auto r = loadForMember(*m, req, c, mem); r.isError()) return r;
             auto level = teamLevelFromName(req.query("level").value_or(teamLevelName(c.teamLevel)));
             if (!level || static_cast<int>(*level) > static_cast<int>(c.teamLevel))
               return ApiError::validation({{"level", "city down to the challenge's team level"}});
             const auto team = teamAt(m->ctx.orgs, mem.orgId, *level);
             auto org = m->ctx.orgs.get(team);
             if (!org) return ApiError::notFound("organisation");
             const auto board = Boards::orgsWithin(c.id, *level, org->parentId);
             auto rank = m->ranking->rankOf(board, team);
             if (!rank) return rank.error();
             auto size = m->ranking->size(board);
             if (!size) return size.error();
             auto around = m->ranking->around(board, team, 2, 2);
             if (!around) return around.error();
             auto list = entriesJson(*m, *around, true);
             if (!list) return list.error();
             auto parent = m->ctx.orgs.get(org->parentId);
             return Json{{"org_id", team},
                         {"name", org->name},
                         {"level", teamLevelName(*level)},
                         {"parent_id", org->parentId},
                         {"parent_name", parent ? parent->name : ""},
                         {"rank", *rank ? Json((*rank)->rank) : Json(nullptr)},
                         {"total", *rank ? (*rank)->score : 0},
                         {"of", *size},
                         {"entries", *list}};
           });

  addRoute(
      routes, http::Method::Get, "/api/v1/challenges/:id/me", Guard::Public, [m](CmsRequest& req) -> Reply {
        Challenge c;
        Member mem;
        if (auto r = loadForMember(*m, req, c, mem); r.isError()) return r;
        auto part = m->ctx.base.db.query(
            "SELECT total, qualified_days FROM cms_challenge_participants WHERE challenge_id = ? AND "
            "member_id = "
            "?",
            {c.id, mem.id});
        if (!part) return part.error();
        auto days = m->ctx.base.db.query(
            "SELECT day, best FROM cms_challenge_days WHERE challenge_id = ? AND member_id = ? ORDER BY day",
            {c.id, mem.id});
        if (!days) return days.error();
        std::map<Day, int> best;
        for (const auto& r : *days)
          best[static_cast<Day>(r.getInt("day"))] = static_cast<int>(r.getInt("best"));
        const Rules rules = c.rules();
        const Day today = shanghaiDay(nowSeconds(m->ctx.base.clock));
        const Totals t = MemberDays(best).totals(rules, today);
        Json series = Json::array();
        for (const auto& [d, v] : best)
          series.push_back({{"date", formatDay(d)}, {"steps", v}, {"counted", countedSteps(rules, v)}});
        auto rank = m->ranking->rankOf(Boards::individuals(c.id), mem.id);
        if (!rank) return rank.error();
        auto size = m->ranking->size(Boards::individuals(c.id));
        if (!size) return size.error();
        auto org = m->ctx.orgs.get(mem.orgId);
        return Json{{"challenge", toJson(c)},
                    {"member_no", mem.memberNo},
                    {"name", mem.name},
                    {"org_id", mem.orgId},
                    {"org_name", org ? org->name : ""},
                    {"participant", !part->empty()},
                    {"today", formatDay(today)},
                    {"today_steps", best.count(today) ? best[today] : 0},
                    {"total", t.counted},
                    {"days_reported", t.daysReported},
                    {"qualified_days", t.qualifiedDays},
                    {"current_streak", t.currentStreak},
                    {"longest_streak", t.longestStreak},
                    {"milestones", c.milestones},
                    {"milestones_reached", t.milestones},
                    {"series", series},
                    {"rank", *rank ? Json((*rank)->rank) : Json(nullptr)},
                    {"participants", *size}};
      });
}

// The member's completion certificate (certificate.h), a PNG of their current totals.
void addCertificate(const std::shared_ptr<Module>& m) {
  addRoute(
      m->ctx, http::Method::Get, "/api/v1/challenges/:id/me/certificate.png", Guard::Public,
      [m](CmsRequest& req) -> Reply {
        Challenge c;
        Member mem;
        if (auto r = loadForMember(*m, req, c, mem); r.isError()) return r;
        auto days = m->ctx.base.db.query(
            "SELECT day, best FROM cms_challenge_days WHERE challenge_id = ? AND member_id = ?",
            {c.id, mem.id});
        if (!days) return days.error();
        if (days->empty())
          return ApiError{404, "certificate.no_steps", "no steps reported in this challenge yet", {}, {}};
        std::map<Day, int> best;
        for (const auto& r : *days)
          best[static_cast<Day>(r.getInt("day"))] = static_cast<int>(r.getInt("best"));
        const Day today = shanghaiDay(nowSeconds(m->ctx.base.clock));
        const Totals t = MemberDays(best).totals(c.rules(), today);
        CertificateData d;
        d.memberName = mem.name;
        std::int64_t id = 0;
        for (char ch : m->ctx.orgs.pathOf(mem.orgId)) {
          if (ch >= '0' && ch <= '9') {
            id = id * 10 + (ch - '0');
          } else if (id > 0) {
            if (auto org = m->ctx.orgs.get(id)) d.organisation.push_back(org->name);
            id = 0;
          }
        }
        d.challengeName = c.name;
        d.totalSteps = t.counted;
        d.qualifyingDays = t.qualifiedDays;
        d.milestones = t.milestones;
        d.date = formatDay(today < c.lastDay ? today : c.lastDay);
        auto png = renderCertificate(d);
        if (!png) {
          logger()->warn("[challenge={} member={}] certificate: {}", c.id, mem.id, png.error().message);
          return ApiError{503, png.error().code, "the certificate cannot be drawn on this server", {}, {}};
        }
        auto resp = http::Response::text(200, std::move(*png), "image/png");
        resp.header("Cache-Control", "private, max-age=60");
        return Reply::raw(std::move(resp));
      });
}

void addAdmin(const std::shared_ptr<Module>& m) {
  CmsContext& routes = m->ctx;
  addRoute(routes, http::Method::Post, "/api/v1/admin/challenges/:id/rebuild", Guard::Public,
           [m](CmsRequest& req) -> Reply {
             if (auto refusal = http::checkBearer(req.http, m->ctx.base.config.admin.token))
               return Reply::raw(std::move(*refusal));
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("challenge");
             auto c = getChallenge(m->ctx.base.db, *id);
             if (!c) return c.error();
             if (!*c) return ApiError::notFound("challenge");
             const auto started = std::chrono::steady_clock::now();
             if (auto st = m->boards.rebuild(**c); !st) return st.error();
             auto size = m->ranking->size(Boards::individuals(*id));
             if (!size) return size.error();
             const double seconds =
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
             logger()->info("[challenge={}] boards rebuilt: {} participants in {:.3f} s", *id, *size,
                            seconds);
             return Json{{"challenge_id", *id}, {"participants", *size}, {"seconds", seconds}};
           });

  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/results.csv", Guard::Signed,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             if (auto r = loadForActor(*m, req, c); r.isError()) return r;
             if (!m->ctx.access.can(req.actor, {Role::Editor}, c.orgId)) return ApiError::forbidden();
             auto rows = m->ctx.base.db.query(
                 "SELECT m.member_no, m.name, p.org_id, p.total, p.qualified_days, p.joined_at,"
                 " (SELECT COUNT(*) FROM cms_challenge_days d WHERE d.challenge_id = p.challenge_id AND "
                 "d.member_id = "
                 "p.member_id) AS days_reported"
                 " FROM cms_challenge_participants p JOIN cms_members m ON m.id = p.member_id WHERE "
                 "p.challenge_id = ?"
                 " ORDER BY p.total DESC, p.member_id",
                 {c.id});
             if (!rows) return rows.error();
             std::string csv =
                 "rank,member_no,name,org_id,org_name,total,qualified_days,days_reported,joined_at\r\n";
             std::int64_t rank = 0;
             for (const auto& r : *rows) {
               auto org = m->ctx.orgs.get(r.getInt("org_id"));
               csv += std::to_string(++rank) + "," + accounts::csvField(r.getString("member_no")) + "," +
                      accounts::csvField(r.getString("name")) + "," + std::to_string(r.getInt("org_id")) +
                      "," + accounts::csvField(org ? org->name : "") + "," +
                      std::to_string(r.getInt("total")) + "," + std::to_string(r.getInt("qualified_days")) +
                      "," + std::to_string(r.getInt("days_reported")) + "," +
                      formatTime(r.getInt("joined_at")) + "\r\n";
             }
             auto resp = http::Response::text(200, std::move(csv), "text/csv; charset=utf-8");
             resp.header("Content-Disposition",
                         "attachment; filename=\"challenge-" + std::to_string(c.id) + "-results.csv\"");
             return Reply::raw(std::move(resp));
           });

  // The audit of totals (total_audit.h), newest first; member_no narrows it to one member.
  addRoute(routes, http::Method::Get, "/api/v1/challenges/:id/audit", Guard::Signed,
           [m](CmsRequest& req) -> Reply {
             Challenge c;
             if (auto r = loadForActor(*m, req, c); r.isError()) return r;
             if (!m->ctx.access.can(req.actor, {Role::Admin}, c.orgId)) return ApiError::forbidden();
             auto before = req.intQuery("before", 0, 0, INT64_MAX);
             auto limit = req.intQuery("limit", 50, 1, 500);
             if (!before || !limit) return ApiError::validation({{"before", "an id"}, {"limit", "1 to 500"}});
             std::optional<std::int64_t> memberId;
             if (auto no = req.query("member_no")) {
               auto mem = findMember(m->ctx.base.db, *no);
               if (!mem) return mem.error();
               if (!*mem) return ApiError::validation({{"member_no", "no member with this number"}});
               memberId = (*mem)->id;
             }
             auto items = totalHistory(m->ctx.base.db, c.id, memberId, *before, static_cast<int>(*limit));
             if (!items) return items.error();
             return Json{{"items", std::move(*items)}};
           });

  addRoute(
      routes, http::Method::Get, "/api/v1/challenges/:id/stats", Guard::Signed,
      [m](CmsRequest& req) -> Reply {
        Challenge c;
        if (auto r = loadForActor(*m, req, c); r.isError()) return r;
        if (!m->ctx.access.can(req.actor, {Role::Editor}, c.orgId)) return ApiError::forbidden();
        auto days = m->ctx.base.db.query(
            "SELECT day, COUNT(*) AS participants, SUM(CASE WHEN best >= ? THEN 1 ELSE 0 END) AS qualified,"
            " SUM(CASE WHEN best > ? THEN ? ELSE best END) AS counted"
            " FROM cms_challenge_days WHERE challenge_id = ? GROUP BY day",
            {static_cast<std::int64_t>(c.qualifySteps), static_cast<std::int64_t>(c.dailyCap),
             static_cast<std::int64_t>(c.dailyCap), c.id});
        if (!days) return days.error();
        auto subs = m->ctx.base.db.query(
            "SELECT day, COUNT(*) AS n FROM cms_challenge_requests WHERE challenge_id = ? AND status IN "
            "(200, 202)"
            " GROUP BY day",
            {c.id});
        if (!subs) return subs.error();
        std::map<Day, Json> byDay;
        for (const auto& r : *days)
          byDay[static_cast<Day>(r.getInt("day"))] = {{"participants", r.getInt("participants")},
                                                      {"qualified", r.getInt("qualified")},
                                                      {"counted_steps", r.getInt("counted")},
                                                      {"submissions", 0}};
        for (const auto& r : *subs) {
          auto& j = byDay[static_cast<Day>(r.getInt("day"))];
          if (j.is_null()) j = {{"participants", 0}, {"qualified", 0}, {"counted_steps", 0}};
          j["submissions"] = r.getInt("n");
        }
        Json list = Json::array();
        for (auto& [d, j] : byDay) {
          j["date"] = formatDay(d);
          list.push_back(j);
        }
        auto total = m->ctx.base.db.query(
            "SELECT COUNT(*) AS n FROM cms_challenge_participants WHERE challenge_id = ?", {c.id});
        if (!total) return total.error();
        return Json{{"challenge_id", c.id}, {"participants", (*total)[0].getInt("n")}, {"days", list}};
      });
}

}  // namespace

void addBoardRoutes(std::shared_ptr<Module> m) {
  addRead(m);
  addCertificate(m);
  addAdmin(m);
}

}  // namespace hub::cms::challenge
