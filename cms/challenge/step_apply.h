// cms/challenge/step_apply.h
//
// One accepted report applied to SQL inside the caller's transaction: the member joins when
// not yet a participant, the day's best grows (never shrinks), the participant's counted total
// and qualified days follow, and a change of the total is audited (old -> new, cause). The
// participant row is locked first (SELECT ... FOR UPDATE on MariaDB; SQLite transactions are
// BEGIN IMMEDIATE), so two reports for one member at once cannot lose an update.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cms/challenge/challenge_module.h"
#include "core/sql/transaction.h"

namespace hub::cms::challenge {

struct Applied {
  bool joined = false;
  int before = 0, after = 0;  // the day's best
  std::int64_t countedDelta = 0;
  std::int64_t totalBefore = 0, totalAfter = 0;
  int qualifiedDays = 0;
  std::vector<std::int64_t> milestonesReached;
};

// Makes `member` a participant of `c` (no-op when already); true when this call did.
Result<bool> ensureParticipant(sql::Executor& tx, const Challenge& c, const Member& member, std::int64_t now);

Result<Applied> applyReport(sql::Transaction& tx, const auth::Actor& actor, const Challenge& c,
                            const Member& member, Day day, int steps, std::int64_t now,
                            std::string_view cause);

// The Json of an Applied for the API.
Json appliedJson(const Challenge& c, const Member& member, Day day, const Applied& a);

// Feeds the boards after the commit (failures are logged: a rebuild repairs the boards).
void feedBoards(Module& m, const Challenge& c, const Member& member, Day day, const Applied& a);

}  // namespace hub::cms::challenge
