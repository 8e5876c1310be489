// cms/schedule/item_state.cpp
#include "cms/schedule/item_state.h"

#include "cms/audit/audit_log.h"
#include "cms/auth/actor.h"
#include "core/log/log.h"

namespace hub::cms::schedule {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("cms.schedule");
  return log;
}

const auth::Actor& schedulerActor() {
  static const auth::Actor actor = [] {
    auth::Actor a;
    a.userId = 0;
    a.username = "scheduler";
    a.displayName = "scheduler";
    return a;
  }();
  return actor;
}

bool followsTargets(workflow::State s) {
  using workflow::State;
  return s == State::Scheduled || s == State::Publishing || s == State::Published || s == State::Failed;
}

}  // namespace

Result<TargetCounts> countTargets(sql::Executor& db, std::int64_t itemId) {
  auto rows = db.query(
      "SELECT s.state, COUNT(*) AS n FROM cms_schedules s WHERE s.item_id = ? AND s.state <> 'canceled' AND "
      "NOT (s.state = 'failed' AND EXISTS (SELECT 1 FROM cms_schedules l WHERE l.item_id = s.item_id AND "
      "l.account_id = s.account_id AND l.id > s.id AND l.state <> 'canceled')) GROUP BY s.state",
      {itemId});
  if (!rows) return rows.error().wrap("count targets");
  TargetCounts c;
  for (const auto& r : *rows) {
    const std::string state = r.getString("state");
    const int n = static_cast<int>(r.getInt("n"));
    if (state == "scheduled")
      c.scheduled += n;
    else if (state == "publishing" || state == "unconfirmed")
      c.inFlight += n;
    else if (state == "published")
      c.published += n;
    else if (state == "failed")
      c.failed += n;
  }
  return c;
}

std::optional<workflow::State> stateForTargets(const TargetCounts& c) {
  using workflow::State;
  if (c.failed > 0) return State::Failed;
  if (c.inFlight > 0) return State::Publishing;
  if (c.scheduled > 0) return State::Scheduled;
  if (c.published > 0) return State::Published;
  return std::nullopt;
}

Result<int> followTargets(sql::Executor& tx, std::int64_t itemId, const Clock& clock, std::string_view why) {
  using workflow::State;
  // The item's row first (locked on MariaDB): outcomes for one item are decided in turn, and
  // the counts below are read after the previous decision committed.
  auto cur = tx.query("SELECT state FROM cms_content WHERE id = ?" +
                          std::string(tx.backend() == "mysql" ? " FOR UPDATE" : ""),
                      {itemId});
  if (!cur) return cur.error().wrap("item state");
  if (cur->empty()) return 0;  // the item is gone; its rows fail on their own
  auto from = workflow::parseState((*cur)[0].getString("state"));
  if (!from || !followsTargets(*from)) return 0;
  auto counts = countTargets(tx, itemId);
  if (!counts) return counts.error();
  std::optional<State> to = stateForTargets(*counts);
  if (!to && *from == State::Scheduled) to = State::Approved;  // every target cancelled
  if (!to || *to == *from) return 0;

  std::vector<State> path;
  if (workflow::allowed(*from, *to))
    path = {*to};
  else if (*from == State::Scheduled && workflow::allowed(State::Publishing, *to))
    path = {State::Publishing, *to};
  else {
    logger()->warn("[item={}] targets say {} but the item is {}: left as it is", itemId,
                   workflow::stateName(*to), workflow::stateName(*from));
    return 0;
  }
  audit::AuditLog audit(clock);
  int moves = 0;
  State at = *from;
  for (State next : path) {
    if (Status st = workflow::transition(tx, schedulerActor(), itemId, at, next, why, clock); !st)
      return st.error();
    Json before = {{"state", workflow::stateName(at)}};
    Json after = {{"state", workflow::stateName(next)},
                  {"targets",
                   {{"scheduled", counts->scheduled},
                    {"in_flight", counts->inFlight},
                    {"published", counts->published},
                    {"failed", counts->failed}}}};
    if (Status st = audit.record(tx, schedulerActor(), "content.state", "content", std::to_string(itemId),
                                 before, after);
        !st)
      return st.error();
    at = next;
    ++moves;
  }
  return moves;
}

}  // namespace hub::cms::schedule
