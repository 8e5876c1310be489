// cms/challenge/total_audit.h
//
// The audit of members' challenge totals (issue 7: "every change to a member's total is
// audited"), in a table of its own instead of the CMS audit log: the step submissions write one
// row per change, and cms_audit's four secondary indexes (time, actor, object, action) and JSON
// columns cost MariaDB more than the change itself. The same information per row: when, who
// (actor id and name, peer), the challenge and member, the day and its best, the total before
// and after, the cause; an index (challenge_id, member_id, id) for a member's history. Read by
// GET /api/v1/challenges/{id}/audit (board_routes.cpp). Rows written before migration 3 stay in
// cms_audit (action "challenge.total").
//
// Since migration 4 a change is a row of cms_challenge_requests, the stored answers' table: a
// batch's submission that changed a total stores its answer and its change in ONE row (one
// insert and one set of index entries less per submission); a change without a request of its
// own (an approval, a report applied alone) is a row with no key and no answer. Audit rows are
// those with a cause; stored answers those with a key.
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
// Version 4: its rows, and the stored answers, in one table (cms_challenge_requests).
sql::Migration answersCarryAuditMigration();

// The change's row, made from the actor of the request.
TotalChange totalChange(const auth::Actor& actor, std::int64_t challengeId, std::int64_t memberId, Day day,
                        int dayBest, std::int64_t totalBefore, std::int64_t totalAfter, std::string cause);

// The change's 8 columns of a cms_challenge_requests row (member_id ... cause), NULL without one.
void appendChange(sql::Params& row, const TotalChange* c);
// Every change in ONE multi-row statement, stamped `at` (unix seconds), rows without a request.
Status recordTotals(sql::Executor& db, const std::vector<TotalChange>& changes, std::int64_t at);

// Newest first: the challenge's changes (of one member when `memberId`), ids below `beforeId`
// when it is positive, at most `limit`. Items as the API shows them (member_no joined).
Result<Json> totalHistory(sql::Executor& db, std::int64_t challengeId, std::optional<std::int64_t> memberId,
                          std::int64_t beforeId, int limit);

}  // namespace hub::cms::challenge
