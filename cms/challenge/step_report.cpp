// cms/challenge/step_report.cpp
#include "cms/challenge/step_report.h"

#include <vector>

#include "cms/api/time.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/step_apply.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"

namespace hub::cms::challenge {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

bool retryable(const Error& e) { return e.code == "sql.busy" || e.code == "sql.constraint"; }

}  // namespace

std::optional<Answer> check(Module& m, const App& app, const Result<std::shared_ptr<const Challenge>>& got,
                            const Json& b, const FindMember& findMem, Checked& out) {
  if (!got) return answerOf(ApiError::fromError(got.error()));
  if (!*got || !m.ctx.orgs.isWithin((*got)->orgId, app.orgId))
    return refused(404, "challenge.not_found", "challenge not found");
  out.c = *got;
  if (!b.is_object()) return refused(422, "validation", "a JSON object with member_no, date, steps", "body");
  if (!b.contains("member_no") || !b["member_no"].is_string() ||
      !validMemberNo(b["member_no"].get<std::string>()))
    return refused(422, "member.bad_number", "member_no: 1 to 32 of A-Z, a-z, 0-9, '-', '_'", "member_no");
  auto d =
      b.contains("date") && b["date"].is_string() ? parseDay(b["date"].get<std::string>()) : std::nullopt;
  if (!d) return refused(422, "date.invalid", "date: a day YYYY-MM-DD (Asia/Shanghai)", "date");
  out.day = *d;
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
    out.source = b["source"].get<std::string>();
  }
  const Day today = shanghaiDay(nowSeconds(m.ctx.base.clock));
  auto verdictOf = checkReport(out.c->rules(), today, out.day, n);
  if (verdictOf.verdict == Verdict::Refuse) {
    const std::string field = verdictOf.code.rfind("steps.", 0) == 0 ? "steps" : "date";
    return refused(422, verdictOf.code, verdictOf.message, field);
  }
  out.verdict = verdictOf.verdict;
  out.holdMessage = verdictOf.message;
  out.steps = static_cast<int>(n);
  auto found = findMem(b["member_no"].get<std::string>());
  if (!found) return answerOf(500, ApiError::fromError(found.error()).body());
  if (!*found) return refused(422, "member.unknown", "no member with this number", "member_no");
  out.mem = **found;
  if (!m.ctx.orgs.isWithin(out.mem.orgId, out.c->orgId))
    return refused(403, "member.outside_scope",
                   "the member's organisation does not take part in this challenge");
  return std::nullopt;
}

auth::Actor appActor(const App& app, const std::string& peer) {
  auth::Actor a;
  a.username = "app:" + std::to_string(app.id);
  a.displayName = app.name;
  a.peer = peer;
  return a;
}

void logRefusal(const Submission& s, const Answer& a) {
  logger()->info("[challenge={} app={}] steps refused: {}", s.challengeId, s.app.id, a.code);
}

Result<Answer> hold(sql::Executor& tx, const Checked& k, std::int64_t now) {
  auto r = tx.insert(
      "INSERT INTO cms_challenge_held (challenge_id, member_id, day, steps, source, state, created_at) "
      "VALUES "
      "(?, ?, ?, ?, ?, 'pending', ?)",
      {k.c->id, k.mem.id, static_cast<std::int64_t>(k.day), static_cast<std::int64_t>(k.steps), k.source,
       now});
  if (!r) return r.error();
  return answerOf(202, {{"status", "held"},
                        {"held_id", r->lastInsertId},
                        {"challenge_id", k.c->id},
                        {"member_no", k.mem.memberNo},
                        {"date", formatDay(k.day)},
                        {"steps", k.steps},
                        {"message", k.holdMessage}});
}

Reply submitOne(Module& m, const Submission& s) {
  CmsContext& ctx = m.ctx;
  auto prior = priorAnswer(ctx.base.db, s.app.id, s.key);
  if (!prior) return prior.error();
  if (*prior) return replay(**prior, s.hash);
  Checked k;
  const auto now = nowSeconds(ctx.base.clock);
  const FindMember findMem = [&](const std::string& no) { return findMember(ctx.base.db, no); };
  if (auto no = check(m, s.app, m.challenges.get(ctx.base.db, s.challengeId), s.body, findMem, k)) {
    if (no->status >= 500) return replyOf(*no);
    logRefusal(s, *no);
    if (auto st =
            storeAnswers(ctx.base.db, std::vector<sql::Params>{answerRow(s, s.challengeId, 0, *no, now)});
        !st) {
      if (!retryable(st.error())) return st.error();
      auto again = priorAnswer(ctx.base.db, s.app.id, s.key);
      if (again && *again) return replay(**again, s.hash);
    }
    return replyOf(*no);
  }
  const auth::Actor actor = appActor(s.app, s.peer);
  Applied applied;
  Answer answer;
  for (int attempt = 0;; ++attempt) {
    Status st = ctx.base.db.transaction([&](sql::Transaction& tx) -> Status {
      if (k.verdict == Verdict::Hold) {
        auto h = hold(tx, k, now);
        if (!h) return h.error();
        answer = *h;
      } else {
        auto a = applyReport(tx, actor, *k.c, k.mem, k.day, k.steps, now,
                             "app " + std::to_string(s.app.id) + " report");
        if (!a) return a.error();
        applied = *a;
        answer = answerOf(200, appliedJson(*k.c, k.mem, k.day, applied));
      }
      return storeAnswers(tx, std::vector<sql::Params>{answerRow(s, k.c->id, k.day, answer, now)});
    });
    if (st) break;
    if (!retryable(st.error()) || attempt >= 4) return st.error();
    // Another request with this key may have won; else a lock conflict: try again.
    auto again = priorAnswer(ctx.base.db, s.app.id, s.key);
    if (!again) return again.error();
    if (*again) return replay(**again, s.hash);
    applied = Applied{};
  }
  if (k.verdict == Verdict::Accept) feedBoards(m, *k.c, k.mem, k.day, applied);
  return replyOf(answer);
}

}  // namespace hub::cms::challenge
