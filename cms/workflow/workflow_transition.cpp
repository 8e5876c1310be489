// cms/workflow/workflow_transition.cpp
//
// The compare-and-set move of a content item's state, with its history row.
#include <chrono>
#include <map>
#include <utility>

#include "cms/auth/actor.h"
#include "cms/workflow/workflow.h"
#include "core/sql/marks.h"

namespace hub::cms::workflow {

Status transition(sql::Executor& tx, const auth::Actor& actor, std::int64_t itemId, State from, State to,
                  std::string_view comment, const Clock& clock) {
  if (!allowed(from, to))
    return makeError("workflow.not_allowed", "cannot move from " + std::string(stateName(from)) + " to " +
                                                 std::string(stateName(to)));
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  auto upd = tx.exec("UPDATE cms_content SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                     {std::string(stateName(to)), now, itemId, std::string(stateName(from))});
  if (!upd) return upd.error().wrap("workflow transition");
  if (upd->affected != 1) {
    auto cur = currentState(tx, itemId);
    if (!cur) return cur.error();
    return makeError("workflow.stale", "content item " + std::to_string(itemId) + " is " +
                                           std::string(stateName(*cur)) + ", not " +
                                           std::string(stateName(from)));
  }
  auto ins = tx.exec(
      "INSERT INTO cms_workflow_transitions (item_id, actor_id, actor_name, from_state, to_state, comment,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {itemId, actor.userId, actor.username, std::string(stateName(from)), std::string(stateName(to)),
       std::string(comment), now});
  if (!ins) return ins.error().wrap("workflow history");
  return {};
}

Status transitionMany(sql::Executor& tx, const auth::Actor& actor, const std::vector<Move>& moves,
                      const Clock& clock) {
  if (moves.empty()) return {};
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  std::map<std::pair<State, State>, std::vector<std::int64_t>> groups;
  for (const Move& m : moves) {
    if (!allowed(m.from, m.to))
      return makeError("workflow.not_allowed", "cannot move from " + std::string(stateName(m.from)) + " to " +
                                                   std::string(stateName(m.to)));
    groups[{m.from, m.to}].push_back(m.itemId);
  }
  for (const auto& [step, ids] : groups) {
    sql::Params p{std::string(stateName(step.second)), now, std::string(stateName(step.first))};
    p.insert(p.end(), ids.begin(), ids.end());
    auto upd = tx.exec("UPDATE cms_content SET state = ?, updated_at = ? WHERE state = ? AND id IN (" +
                           sql::marks(ids.size()) + ")",
                       p);
    if (!upd) return upd.error().wrap("workflow transition");
    if (upd->affected != static_cast<std::int64_t>(ids.size()))
      return makeError("workflow.stale",
                       std::to_string(ids.size() - static_cast<std::size_t>(upd->affected)) +
                           " of the content items are no longer " + std::string(stateName(step.first)));
  }
  std::string ins =
      "INSERT INTO cms_workflow_transitions (item_id, actor_id, actor_name, from_state, to_state, comment,"
      " created_at) VALUES ";
  sql::Params p;
  for (std::size_t i = 0; i < moves.size(); ++i) {
    ins += i ? ",(?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)";
    p.insert(p.end(), {moves[i].itemId, actor.userId, actor.username, std::string(stateName(moves[i].from)),
                       std::string(stateName(moves[i].to)), moves[i].comment, now});
  }
  auto r = tx.exec(ins, p);
  if (!r) return r.error().wrap("workflow history");
  return {};
}

}  // namespace hub::cms::workflow
