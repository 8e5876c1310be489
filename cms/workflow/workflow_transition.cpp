// cms/workflow/workflow_transition.cpp
//
// The compare-and-set move of a content item's state, with its history row.
#include <chrono>

#include "cms/auth/actor.h"
#include "cms/workflow/workflow.h"

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

}  // namespace hub::cms::workflow
