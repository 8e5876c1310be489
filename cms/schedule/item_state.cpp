// cms/schedule/item_state.cpp
#include "cms/schedule/item_state.h"

#include "cms/audit/audit_log.h"
#include "cms/auth/actor.h"
#include "core/log/log.h"
#include "core/sql/marks.h"

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

// Cancelled targets and failures superseded by a later row for the same account left out.
constexpr const char* kCountTargets =
    "SELECT s.item_id, s.state, COUNT(*) AS n FROM cms_schedules s WHERE s.item_id IN (@IDS@) AND s.state <> "
    "'canceled' AND NOT (s.state = 'failed' AND EXISTS (SELECT 1 FROM cms_schedules l WHERE l.item_id = "
    "s.item_id AND l.account_id = s.account_id AND l.id > s.id AND l.state <> 'canceled')) GROUP BY "
    "s.item_id, s.state";

Result<std::map<std::int64_t, TargetCounts>> countMany(sql::Executor& db,
                                                       const std::vector<std::int64_t>& ids) {
  std::string q = kCountTargets;
  q.replace(q.find("@IDS@"), 5, sql::marks(ids.size()));
  sql::Params p(ids.begin(), ids.end());
  auto rows = db.query(q, p);
  if (!rows) return rows.error().wrap("count targets");
  std::map<std::int64_t, TargetCounts> out;
  for (const auto& r : *rows) {
    TargetCounts& c = out[r.getInt("item_id")];
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
  return out;
}

// The states one item passes through to reach what its targets say (empty: it stays).
std::vector<workflow::State> pathFor(std::int64_t itemId, workflow::State from, const TargetCounts& counts) {
  using workflow::State;
  std::optional<State> to = stateForTargets(counts);
  if (!to && from == State::Scheduled) to = State::Approved;  // every target cancelled
  if (!to || *to == from) return {};
  if (workflow::allowed(from, *to)) return {*to};
  if (from == State::Scheduled && workflow::allowed(State::Publishing, *to)) return {State::Publishing, *to};
  logger()->warn("[item={}] targets say {} but the item is {}: left as it is", itemId,
                 workflow::stateName(*to), workflow::stateName(from));
  return {};
}

}  // namespace

Result<TargetCounts> countTargets(sql::Executor& db, std::int64_t itemId) {
  auto counts = countMany(db, {itemId});
  if (!counts) return counts.error();
  auto it = counts->find(itemId);
  return it == counts->end() ? TargetCounts{} : it->second;
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
  return followTargetsMany(tx, {{itemId, std::string(why)}}, clock);
}

Result<int> followTargetsMany(sql::Executor& tx, const std::map<std::int64_t, std::string>& whyByItem,
                              const Clock& clock) {
  if (whyByItem.empty()) return 0;
  std::vector<std::int64_t> ids;
  ids.reserve(whyByItem.size());
  for (const auto& [id, why] : whyByItem) ids.push_back(id);
  // The items' rows first (locked on MariaDB, in id order): outcomes for one item are decided
  // in turn, and the counts below are read after the previous decision committed.
  sql::Params p(ids.begin(), ids.end());
  auto cur = tx.query("SELECT id, state FROM cms_content WHERE id IN (" + sql::marks(ids.size()) +
                          ") ORDER BY id" + std::string(tx.backend() == "mysql" ? " FOR UPDATE" : ""),
                      p);
  if (!cur) return cur.error().wrap("item state");
  std::vector<std::pair<std::int64_t, workflow::State>> follow;  // items gone: their rows fail on their own
  for (const auto& r : *cur) {
    auto from = workflow::parseState(r.getString("state"));
    if (from && followsTargets(*from)) follow.emplace_back(r.getInt("id"), *from);
  }
  if (follow.empty()) return 0;
  std::vector<std::int64_t> followed;
  for (const auto& f : follow) followed.push_back(f.first);
  auto counts = countMany(tx, followed);
  if (!counts) return counts.error();
  // Every item's first step together, then the second ones (scheduled -> publishing -> ...).
  std::vector<workflow::Move> steps[2];
  std::vector<audit::AuditLog::Record> records;
  for (const auto& [id, from] : follow) {
    auto it = counts->find(id);
    const TargetCounts c = it == counts->end() ? TargetCounts{} : it->second;
    workflow::State at = from;
    std::size_t level = 0;
    for (workflow::State next : pathFor(id, from, c)) {
      steps[level++].push_back(
          workflow::Move{.itemId = id, .from = at, .to = next, .comment = whyByItem.at(id)});
      records.push_back(audit::AuditLog::Record{.actor = schedulerActor(),
                                                .action = "content.state",
                                                .objectType = "content",
                                                .objectId = std::to_string(id),
                                                .before = {{"state", workflow::stateName(at)}},
                                                .after = {{"state", workflow::stateName(next)},
                                                          {"targets",
                                                           {{"scheduled", c.scheduled},
                                                            {"in_flight", c.inFlight},
                                                            {"published", c.published},
                                                            {"failed", c.failed}}}}});
      at = next;
    }
  }
  for (const auto& level : steps)
    if (Status st = workflow::transitionMany(tx, schedulerActor(), level, clock); !st) return st.error();
  if (!records.empty())
    if (Status st = audit::AuditLog(clock).recordMany(tx, records); !st) return st.error();
  return static_cast<int>(records.size());
}

}  // namespace hub::cms::schedule
