// cms/schedule/item_state.h
//
// A content item's own workflow state follows its publishing targets (its schedule rows):
//   scheduled -> publishing   when the first target is claimed;
//   publishing -> published   when every target is published;
//   -> failed                 when a target failed for good (a later row for the same account
//                             supersedes a failed one, so a rescheduled retry can still end
//                             published);
//   publishing -> scheduled   when nothing is in flight and later occurrences wait;
//   scheduled -> approved     when every target was cancelled.
// An "unconfirmed" target counts as in flight: the item stays publishing until it is
// reconciled. Each move goes through workflow::transition() (the transition log) with the
// system actor "scheduler", and is audited ("content.state"), in the caller's transaction.
// Items that are not in a publishing state (draft, in review, approved) are left alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cms/workflow/workflow.h"
#include "core/sql/executor.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::cms::schedule {

struct TargetCounts {
  int scheduled = 0;
  int inFlight = 0;  // publishing or unconfirmed
  int published = 0;
  int failed = 0;  // failed for good and not superseded by a later row for the same account
};

// The item's targets, cancelled ones and superseded failures left out.
Result<TargetCounts> countTargets(sql::Executor& db, std::int64_t itemId);

// What the targets say the item is, or nullopt when no target is left (all cancelled).
std::optional<workflow::State> stateForTargets(const TargetCounts& c);

// Moves the item to stateForTargets() (through publishing when it comes from scheduled), locks
// the item's row first so concurrent outcomes for one item are decided one after the other.
// `why` is the transition's comment. The moves made, in order, are returned.
Result<int> followTargets(sql::Executor& tx, std::int64_t itemId, const Clock& clock, std::string_view why);

// followTargets() for several items (item id -> why) with one locking read of the items (in id
// order, the same lock order as followTargets) and one count of their targets; only the items
// that move cost statements of their own. What claims and batches of outcomes use.
Result<int> followTargetsMany(sql::Executor& tx, const std::map<std::int64_t, std::string>& whyByItem,
                              const Clock& clock);

}  // namespace hub::cms::schedule
