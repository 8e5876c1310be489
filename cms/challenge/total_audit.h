// cms/challenge/total_audit.h
//
// The audit of members' challenge totals (issue 7: "every change to a member's total is
// audited"), in a table of its own instead of the CMS audit log: the step submissions write one
// row per change, and cms_audit's four secondary indexes (time, actor, object, action) and JSON
// columns cost MariaDB more than the change itself. The same information per row: when, who
// (actor id and name, peer), the challenge and member, the day and its best, the total before
// and after, the cause; ONE secondary index, (challenge_id, member_id, id), for a member's
// history. Read by GET /api/v1/challenges/{id}/audit (board_routes.cpp). Rows written before
// migration 3 stay in cms_audit (action "challenge.total").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "cms/challenge/day.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"

namespace hub::cms::challenge {

struct TotalChange {
  std::int64_t challengeId = 0, memberId = 0;
  std::int64_t actorId = 0;  // 0 for an app credential (its name is "app:<id>")
  std::string actorName, peer;
  Day day = 0;
  int dayBest = 0;
  std::int64_t totalBefore = 0, totalAfter = 0;
  std::string cause;
};

// Component "cms.challenge" version 3: cms_challenge_total_audit.
sql::Migration totalAuditMigration();

// The change's row, made from the actor of the request.
TotalChange totalChange(const auth::Actor& actor, std::int64_t challengeId, std::int64_t memberId, Day day,
                        int dayBest, std::int64_t totalBefore, std::int64_t totalAfter, std::string cause);

// Every change in ONE multi-row statement, stamped `at` (unix seconds).
Status recordTotals(sql::Executor& db, const std::vector<TotalChange>& changes, std::int64_t at);

// Newest first: the challenge's changes (of one member when `memberId`), ids below `beforeId`
// when it is positive, at most `limit`. Items as the API shows them (member_no joined).
Result<Json> totalHistory(sql::Executor& db, std::int64_t challengeId, std::optional<std::int64_t> memberId,
                          std::int64_t beforeId, int limit);

}  // namespace hub::cms::challenge
