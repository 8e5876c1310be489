// cms/challenge/challenge_store.h
//
// Challenges in SQL (migration cms.challenge/2, with every table of the steps flow): the
// challenge row and its rules, checked from the API's JSON with a message per field.
//   cms_challenges              one row per challenge (dates as Shanghai day numbers)
//   cms_challenge_apps          app credentials (secret sealed with the CredentialBox)
//   cms_challenge_participants  a member in a challenge: counted total, qualified days
//   cms_challenge_days          a member's best value of each day
//   cms_challenge_held          implausible reports waiting for an admin
//   cms_challenge_requests      idempotency keys per app credential and their first answer; since
//                               migration 4 also the audit of totals (total_audit.h)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cms/api/json.h"
#include "cms/challenge/scoring.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"

namespace hub::cms::org {
class OrgTree;
}

namespace hub::cms::challenge {

// Organisation levels a challenge ranks teams at, from the top: city (depth 2 of the tree),
// county (depth 3), grassroots (the member's own organisation).
enum class TeamLevel { City = 1, County = 2, Grassroots = 3 };
const char* teamLevelName(TeamLevel level);
std::optional<TeamLevel> teamLevelFromName(std::string_view name);

struct Challenge {
  std::int64_t id = 0;
  std::int64_t orgId = 0;  // the subtree whose members may join
  std::string name, description;
  std::optional<std::int64_t> coverMediaId;
  Day firstDay = 0, lastDay = 0;
  bool everyone = false;  // registration: false "open" (join on first submission), true "everyone"
  int dailyCap = 30000;
  int qualifySteps = 6000;
  TeamLevel teamLevel = TeamLevel::County;
  std::vector<std::int64_t> milestones;
  int backfillDays = 3;
  int plausibleMax = 80000;
  std::int64_t createdBy = 0, createdAt = 0, updatedAt = 0;

  Rules rules() const;
};

sql::Migration challengeTablesMigration();  // cms.challenge/2

Json toJson(const Challenge& c);
// Fills `c` from a create (all required fields) or an update (only the fields present) body;
// problems go into `errors` by field name.
void readChallenge(const Json& body, bool create, const org::OrgTree& orgs, Challenge& c,
                   std::map<std::string, std::string>& errors);

Result<std::optional<Challenge>> getChallenge(sql::Executor& db, std::int64_t id);
Result<std::int64_t> insertChallenge(sql::Executor& db, const Challenge& c);
Status updateChallenge(sql::Executor& db, const Challenge& c);

// The organisation of `orgId` at `level` (itself for grassroots), or 0 when the tree is not that deep.
std::int64_t teamAt(const org::OrgTree& orgs, std::int64_t orgId, TeamLevel level);

}  // namespace hub::cms::challenge
