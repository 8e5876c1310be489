// cms/challenge/step_routes.cpp
//
// Step submissions from the organisation's app (bearer app credential, Idempotency-Key), a
// member joining through a signed link, and the admins' review of held reports.
//
// Idempotency: the first answer to (credential, key) is stored with a hash of the challenge id
// and the body, in the transaction that applies the report; a repeat with the same body gets
// that answer again (header Idempotent-Replayed: true), with another body 422
// "idempotency.conflict". Answers 401, 429 and 5xx are not stored (the app retries).
#include <sodium.h>

#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/challenge/challenge_module.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/step_apply.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"

namespace hub::cms::challenge {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

std::string sha256Hex(std::string_view text) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char b : out) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

bool validKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char ch : key)
    if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

struct Answer {
  int status = 200;
  Json body;
};

Answer refused(int status, const std::string& code, const std::string& message,
               const std::string& field = "") {
  ApiError e{status, code, message, {}, {}};
  if (!field.empty()) e.fields[field] = message;
  return Answer{status, e.body()};
}

struct Prior {
  std::string hash;
  Answer answer;
};

Result<std::optional<Prior>> priorAnswer(sql::Executor& db, std::int64_t appId, const std::string& key) {
  auto rows = db.query(
      "SELECT body_hash, status, response FROM cms_challenge_requests WHERE app_id = ? AND idem_key = ?",
      {appId, key});
  if (!rows) return rows.error().wrap("idempotency");
  if (rows->empty()) return std::optional<Prior>();
  const auto& r = (*rows)[0];
  return std::optional<Prior>(Prior{
      r.getString("body_hash"),
      Answer{static_cast<int>(r.getInt("status")), Json::parse(r.getString("response"), nullptr, false)}});
}

Status storeAnswer(sql::Executor& db, std::int64_t appId, const std::string& key, const std::string& hash,
                   std::int64_t challengeId, Day day, const Answer& a, std::int64_t now) {
  auto r = db.exec(
      "INSERT INTO cms_challenge_requests (app_id, idem_key, body_hash, challenge_id, day, status, response, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {appId, key, hash, challengeId, static_cast<std::int64_t>(day), static_cast<std::int64_t>(a.status),
       a.body.dump(), now});
  if (!r) return r.error();
  return {};
}

Reply replay(const Prior& p, const std::string& hash) {
  if (p.hash != hash)
    return ApiError{422, "idempotency.conflict", "this Idempotency-Key was used with another body", {}, {}};
  Reply r(p.answer.status, p.answer.body);
  r.header("Idempotent-Replayed", "true");
  return r;
}

bool retryable(const Error& e) { return e.code == "sql.busy" || e.code == "sql.constraint"; }

// The checks before any write: an Answer when the report is refused.
std::optional<Answer> check(Module& m, const App& app, std::int64_t cid, const Json& b, Challenge& c,
                            Member& mem, Day& day, int& steps, std::string& source, Verdict& verdict,
                            std::string& holdCode) {
  auto got = getChallenge(m.ctx.base.db, cid);
  if (!got) return Answer{ApiError::fromError(got.error()).status, ApiError::fromError(got.error()).body()};
  if (!*got || !m.ctx.orgs.isWithin((*got)->orgId, app.orgId))
    return refused(404, "challenge.not_found", "challenge not found");
  c = std::move(**got);
  if (!b.is_object()) return refused(422, "validation", "a JSON object with member_no, date, steps", "body");
  if (!b.contains("member_no") || !b["member_no"].is_string() ||
      !validMemberNo(b["member_no"].get<std::string>()))
    return refused(422, "member.bad_number", "member_no: 1 to 32 of A-Z, a-z, 0-9, '-', '_'", "member_no");
  auto d =
      b.contains("date") && b["date"].is_string() ? parseDay(b["date"].get<std::string>()) : std::nullopt;
  if (!d) return refused(422, "date.invalid", "date: a day YYYY-MM-DD (Asia/Shanghai)", "date");
  day = *d;
  if (!b.contains("steps") || !(b["steps"].is_number_integer()))
    return refused(422, "steps.not_a_number", "steps: a whole number", "steps");
  std::int64_t n = 0;
  if (b["steps"].is_number_unsigned() && b["steps"].get<std::uint64_t>() > std::uint64_t{INT64_MAX})
    n = INT64_MAX;
  else
    n = b["steps"].get<std::int64_t>();
  if (b.contains("source")) {
    if (!b["source"].is_string() || b["source"].get<std::string>().size() > 64)
      return refused(422, "validation", "source: text of at most 64 bytes", "source");
    source = b["source"].get<std::string>();
  }
  const Day today = shanghaiDay(nowSeconds(m.ctx.base.clock));
  auto verdictOf = checkReport(c.rules(), today, day, n);
  if (verdictOf.verdict == Verdict::Refuse) {
    const std::string field = verdictOf.code.rfind("steps.", 0) == 0 ? "steps" : "date";
    return refused(422, verdictOf.code, verdictOf.message, field);
  }
  verdict = verdictOf.verdict;
  holdCode = verdictOf.message;
  steps = static_cast<int>(n);
  auto found = findMember(m.ctx.base.db, b["member_no"].get<std::string>());
  if (!found) return Answer{500, ApiError::fromError(found.error()).body()};
  if (!*found) return refused(422, "member.unknown", "no member with this number", "member_no");
  mem = std::move(**found);
  if (!m.ctx.orgs.isWithin(mem.orgId, c.orgId))
    return refused(403, "member.outside_scope",
                   "the member's organisation does not take part in this challenge");
  return std::nullopt;
}

auth::Actor appActor(const App& app, const http::Request& http) {
  auth::Actor a;
  a.username = "app:" + std::to_string(app.id);
  a.displayName = app.name;
  a.peer = http.peer;
  return a;
}

void addSteps(const std::shared_ptr<Module>& m) {
  addRoute(
      m->ctx, http::Method::Post, "/api/v1/challenges/:id/steps", Guard::Public,
      [m](CmsRequest& req) -> Reply {
        CmsContext& ctx = m->ctx;
        auto app = m->apps.authenticate(req.http.header("authorization"));
        if (!app) {
          if (app.error().code != "challenge.bad_credential") return app.error();
          logger()->info("[peer={}] steps: bad app credential", req.http.peer);
          return ApiError::unauthenticated(app.error().code, app.error().message);
        }
        if (int wait = m->limiter.take(std::to_string(app->id)); wait > 0)
          return ApiError::tooManyRequests("challenge.rate_limited",
                                           "too many submissions from this app credential", wait);
        const std::string key(req.http.header("idempotency-key"));
        if (!validKey(key))
          return ApiError::badRequest("idempotency.key_required",
                                      "send an Idempotency-Key header of 1 to 64 characters");
        auto cid = req.idParam("id");
        if (!cid) return ApiError::notFound("challenge");
        const std::string hash = sha256Hex(std::to_string(*cid) + "\n" + req.body.dump());
        auto prior = priorAnswer(ctx.base.db, app->id, key);
        if (!prior) return prior.error();
        if (*prior) return replay(**prior, hash);

        Challenge c;
        Member mem;
        Day day = 0;
        int steps = 0;
        std::string source, holdMessage;
        Verdict verdict = Verdict::Accept;
        const auto now = nowSeconds(ctx.base.clock);
        if (auto no = check(*m, *app, *cid, req.body, c, mem, day, steps, source, verdict, holdMessage)) {
          if (no->status >= 500) return Reply(no->status, no->body);
          logger()->info("[challenge={} app={}] steps refused: {}", *cid, app->id,
                         no->body["error"].value("code", std::string()));
          if (auto st = storeAnswer(ctx.base.db, app->id, key, hash, *cid, 0, *no, now); !st) {
            if (!retryable(st.error())) return st.error();
            auto again = priorAnswer(ctx.base.db, app->id, key);
            if (again && *again) return replay(**again, hash);
          }
          return Reply(no->status, no->body);
        }
        const auth::Actor actor = appActor(*app, req.http);
        Applied applied;
        Answer answer;
        for (int attempt = 0;; ++attempt) {
          Status st = ctx.base.db.transaction([&](sql::Transaction& tx) -> Status {
            if (verdict == Verdict::Hold) {
              auto r = tx.exec(
                  "INSERT INTO cms_challenge_held (challenge_id, member_id, day, steps, source, state, "
                  "created_at) VALUES "
                  "(?, ?, ?, ?, ?, 'pending', ?)",
                  {c.id, mem.id, static_cast<std::int64_t>(day), static_cast<std::int64_t>(steps), source,
                   now});
              if (!r) return r.error();
              answer = Answer{202,
                              {{"status", "held"},
                               {"held_id", r->lastInsertId},
                               {"challenge_id", c.id},
                               {"member_no", mem.memberNo},
                               {"date", formatDay(day)},
                               {"steps", steps},
                               {"message", holdMessage}}};
            } else {
              auto a = applyReport(tx, ctx, actor, c, mem, day, steps, now,
                                   "app " + std::to_string(app->id) + " report");
              if (!a) return a.error();
              applied = *a;
              answer = Answer{200, appliedJson(c, mem, day, applied)};
            }
            return storeAnswer(tx, app->id, key, hash, c.id, day, answer, now);
          });
          if (st) break;
          if (!retryable(st.error()) || attempt >= 4) return st.error();
          // Another request with this key may have won; else a lock conflict: try again.
          auto again = priorAnswer(ctx.base.db, app->id, key);
          if (!again) return again.error();
          if (*again) return replay(**again, hash);
          applied = Applied{};
        }
        if (verdict == Verdict::Accept) feedBoards(*m, c, mem, day, applied);
        return Reply(answer.status, answer.body);
      });
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
            auto a = applyReport(tx, ctx, req.actor, c, mem, day, static_cast<int>(r.getInt("steps")), now,
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
