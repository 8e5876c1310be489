// cms/challenge/step_apply.cpp
//
// Applying an accepted report to SQL, and then to the boards.
#include "cms/challenge/step_apply.h"

#include "cms/challenge/total_audit.h"
#include "core/log/log.h"

namespace hub::cms::challenge {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

}  // namespace

Result<bool> ensureParticipant(sql::Executor& tx, const Challenge& c, const Member& member,
                               std::int64_t now) {
  const bool mysql = tx.backend() == "mysql";
  auto r = tx.exec(std::string(mysql ? "INSERT IGNORE" : "INSERT OR IGNORE") +
                       " INTO cms_challenge_participants (challenge_id, member_id, org_id, joined_at, total, "
                       "qualified_days) VALUES (?, ?, ?, ?, 0, 0)",
                   {c.id, member.id, member.orgId, now});
  if (!r) return r.error().wrap("join");
  return r->affected > 0;
}

Result<Applied> applyReport(sql::Transaction& tx, const auth::Actor& actor, const Challenge& c,
                            const Member& member, Day day, int steps, std::int64_t now,
                            std::string_view cause) {
  Applied a;
  auto joined = ensureParticipant(tx, c, member, now);
  if (!joined) return joined.error();
  a.joined = *joined;
  const bool mysql = tx.backend() == "mysql";
  auto rows = tx.query(std::string("SELECT total, qualified_days FROM cms_challenge_participants WHERE "
                                   "challenge_id = ? AND member_id = ?") +
                           (mysql ? " FOR UPDATE" : ""),
                       {c.id, member.id});
  if (!rows) return rows.error().wrap("participant");
  if (rows->empty()) return makeError("challenge.internal", "participant row missing");
  a.totalBefore = a.totalAfter = (*rows)[0].getInt("total");
  a.qualifiedDays = static_cast<int>((*rows)[0].getInt("qualified_days"));
  auto days =
      tx.query("SELECT best FROM cms_challenge_days WHERE challenge_id = ? AND member_id = ? AND day = ?",
               {c.id, member.id, static_cast<std::int64_t>(day)});
  if (!days) return days.error().wrap("day");
  const bool existed = !days->empty();
  a.before = a.after = existed ? static_cast<int>((*days)[0].getInt("best")) : 0;
  if (steps <= a.before) return a;
  a.after = steps;
  const Rules rules = c.rules();
  a.countedDelta = countedSteps(rules, a.after) - countedSteps(rules, a.before);
  a.totalAfter = a.totalBefore + a.countedDelta;
  if (a.before < rules.qualifyingSteps && a.after >= rules.qualifyingSteps) ++a.qualifiedDays;
  for (auto ms : rules.milestones)
    if (a.totalBefore < ms && a.totalAfter >= ms) a.milestonesReached.push_back(ms);
  auto w =
      existed
          ? tx.exec(
                "UPDATE cms_challenge_days SET best = ?, updated_at = ? WHERE challenge_id = ? AND "
                "member_id = ? AND day = ?",
                {static_cast<std::int64_t>(a.after), now, c.id, member.id, static_cast<std::int64_t>(day)})
          : tx.exec(
                "INSERT INTO cms_challenge_days (challenge_id, member_id, day, best, updated_at) VALUES "
                "(?, ?, ?, ?, ?)",
                {c.id, member.id, static_cast<std::int64_t>(day), static_cast<std::int64_t>(a.after), now});
  if (!w) return w.error().wrap("day");
  if (auto u = tx.exec(
          "UPDATE cms_challenge_participants SET total = ?, qualified_days = ? WHERE challenge_id = ? "
          "AND member_id = ?",
          {a.totalAfter, static_cast<std::int64_t>(a.qualifiedDays), c.id, member.id});
      !u)
    return u.error().wrap("participant");
  if (a.countedDelta != 0)
    if (auto st = recordTotals(tx,
                               {totalChange(actor, c.id, member.id, day, a.after, a.totalBefore, a.totalAfter,
                                            std::string(cause))},
                               now);
        !st)
      return st.error();
  return a;
}

Json appliedJson(const Challenge& c, const Member& member, Day day, const Applied& a) {
  const Rules rules = c.rules();
  return {{"status", "counted"},
          {"challenge_id", c.id},
          {"member_no", member.memberNo},
          {"date", formatDay(day)},
          {"day_steps", a.after},
          {"day_counted", countedSteps(rules, a.after)},
          {"changed", a.after != a.before},
          {"joined", a.joined},
          {"total", a.totalAfter},
          {"qualified_days", a.qualifiedDays},
          {"milestones_reached", a.milestonesReached}};
}

void feedBoards(Module& m, const Challenge& c, const Member& member, Day day, const Applied& a) {
  if (a.joined)
    if (auto st = m.boards.joined(c, member.orgId); !st)
      logger()->warn("[challenge={} member={}] boards (join): {}", c.id, member.id, st.error().message);
  if (a.countedDelta != 0 || a.joined)
    if (auto st = m.boards.counted(c, member.id, member.orgId, day, a.countedDelta); !st)
      logger()->warn("[challenge={} member={}] boards: {}", c.id, member.id, st.error().message);
}

}  // namespace hub::cms::challenge
