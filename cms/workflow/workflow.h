// cms/workflow/workflow.h
//
// The review workflow of a content item: its states, the moves allowed between them, and the
// one function that moves an item and records who moved it, when, from where to where and why
// (table cms_workflow_transitions). Review routes (submit, approve, reject) and the scheduler
// (scheduled -> publishing -> published / failed) both move items only through transition(),
// inside the caller's transaction, so the state and its history never disagree.
//
// transition() checks the move is in the graph and that the item is still in `from`
// (compare-and-set: two writers cannot both move it). Who may make a move (reviewers, nobody
// approving their own content, how many approvals) is decided by the review routes before
// they call it; the scheduler calls it with a system actor (userId 0).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::cms::auth {
struct Actor;
}

namespace hub::cms::workflow {

enum class State { Draft, InReview, Approved, Scheduled, Publishing, Published, Failed };

// "draft", "in_review", "approved", "scheduled", "publishing", "published", "failed".
std::string_view stateName(State s);
std::optional<State> parseState(std::string_view name);

// The graph:
//   draft -> in_review                       (submit)
//   in_review -> draft | approved            (reject or withdraw | enough approvals)
//   approved -> draft | scheduled            (edited again | scheduled)
//   scheduled -> approved | publishing       (all schedules cancelled | the scheduler claims it)
//   publishing -> published | failed | scheduled  (outcome | more occurrences are due later)
//   published -> scheduled | draft           (scheduled again, e.g. to more accounts | edited)
//   failed -> scheduled | draft              (rescheduled | edited)
bool allowed(State from, State to);

// Error codes: "workflow.not_allowed" (move not in the graph), "workflow.not_found" (no such
// item), "workflow.stale" (the item is no longer in `from`; the message names its state).
// Only SQL errors besides those. Writes the state, updated_at and one history row.
// `clock` gives the time recorded (tests pass a FakeClock).
Status transition(sql::Executor& tx, const auth::Actor& actor, std::int64_t itemId, State from, State to,
                  std::string_view comment, const Clock& clock = SystemClock::instance());

// transition() for many items at once by one actor (batched writers such as the scheduler):
// one UPDATE per distinct (from, to) and one multi-row history INSERT. Any item no longer in
// its `from` fails the whole call with "workflow.stale" (the caller's transaction rolls back).
struct Move {
  std::int64_t itemId = 0;
  State from = State::Draft;
  State to = State::Draft;
  std::string comment;
};
Status transitionMany(sql::Executor& tx, const auth::Actor& actor, const std::vector<Move>& moves,
                      const Clock& clock = SystemClock::instance());

// The item's current state, or "workflow.not_found".
Result<State> currentState(sql::Executor& db, std::int64_t itemId);

struct TransitionRecord {
  std::int64_t id = 0;
  std::int64_t itemId = 0;
  std::int64_t actorId = 0;  // 0 for the system (scheduler)
  std::string actorName;
  State from = State::Draft;
  State to = State::Draft;
  std::string comment;
  std::int64_t at = 0;  // UTC, epoch seconds
};

// Oldest first.
Result<std::vector<TransitionRecord>> history(sql::Executor& db, std::int64_t itemId);

// Component "cms.workflow": cms_workflow_transitions, cms_review_levels, cms_approvals.
// Needs "cms.content" (cms_content) applied first.
std::vector<sql::Migration> migrations();

}  // namespace hub::cms::workflow
