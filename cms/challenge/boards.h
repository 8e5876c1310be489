// cms/challenge/boards.h
//
// A challenge's leaderboards on a Ranking engine, fed after each SQL commit and rebuilt from SQL
// (the source of truth) on demand. Board names, for challenge 7:
//   c7:i:t          members (cms_members.id) by counted total
//   c7:i:d<day>     members by counted steps of one Shanghai day (day number, day.h)
//   c7:i:w<week>    members by counted steps of one week (Monday to Sunday; weekOf())
//   c7:o<L>:t       organisations at level L (1 city, 2 county, 3 grassroots) by total
//   c7:o<L>:p       ... by participants (members with a row in cms_challenge_participants)
//   c7:o<L>:a       ... by average total per participant (registration "everyone": per member)
//   c7:o<L>:r       ... by participation rate, participants per million members of the org
//   c7:o<L>:t:<P>   organisations at level L within parent P, by total
// Levels run from city down to the challenge's team level. Totals and participants are adds
// (they commute, so concurrent submissions converge). Average and rate are recomputed from
// them: right away after a join or an approval, and for step submissions (fed in batches by
// feed()) by settle(), which the board routes call before reading an organisation board and the
// step batcher calls about once a second; they are exact again after a rebuild.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "cms/challenge/challenge_store.h"
#include "cms/challenge/ranking.h"
#include "core/sql/database.h"

namespace hub::cms::org {
class OrgTree;
}

namespace hub::cms::challenge {

// Monday-based week number of a Shanghai day (1970-01-01 was a Thursday).
inline std::int64_t weekOf(Day day) { return (static_cast<std::int64_t>(day) + 3) / 7; }

enum class OrgMetric { Total, Participants, Average, Rate };

class Boards {
 public:
  Boards(Ranking& ranking, sql::Database& db, const org::OrgTree& orgs)
      : ranking_(ranking), db_(db), orgs_(orgs) {}

  static std::string individuals(std::int64_t cid);
  static std::string individualsDay(std::int64_t cid, Day day);
  static std::string individualsWeek(std::int64_t cid, std::int64_t week);
  static std::string orgs(std::int64_t cid, TeamLevel level, OrgMetric metric);
  static std::string orgsWithin(std::int64_t cid, TeamLevel level, std::int64_t parent);
  // The levels a challenge ranks organisations at: city down to its team level.
  static std::vector<TeamLevel> levels(const Challenge& c);

  // After a commit: a member joined / a member's counted steps of `day` grew by `delta`.
  Status joined(const Challenge& c, std::int64_t memberOrgId);
  Status counted(const Challenge& c, std::int64_t memberId, std::int64_t memberOrgId, Day day,
                 std::int64_t delta);

  // What one committed batch of step submissions changed, for feed().
  struct Fed {
    std::int64_t memberId = 0, memberOrgId = 0;
    Day day = 0;
    std::int64_t delta = 0;
    bool joined = false;
  };
  // Totals, participants and individuals of a batch in one engine call (increments merged per
  // board and id); average and rate are left to settle().
  Status feed(const Challenge& c, const std::vector<Fed>& batch);
  // Recomputes the average and rate of the organisations feed() changed (of challenge `cid`, or
  // of every challenge when 0).
  Status settle(std::int64_t cid = 0);

  // Clears every board of `c` and fills them again from SQL.
  Status rebuild(const Challenge& c);

  // Members in `orgId`'s subtree (cms_members), cached until the next rebuild.
  Result<std::int64_t> membersOf(std::int64_t orgId);

  Ranking& ranking() { return ranking_; }

 private:
  // An organisation of a challenge: (challenge, everyone, level, team).
  using TeamKey = std::tuple<std::int64_t, bool, int, std::int64_t>;
  Status refreshDerived(const Challenge& c, TeamLevel level, std::int64_t team);
  // Average and rate of every team: its totals and participants read in one engine call, the
  // new values written in another.
  Status refreshDerived(const std::vector<TeamKey>& teams);

  Ranking& ranking_;
  sql::Database& db_;
  const org::OrgTree& orgs_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, std::int64_t> members_;
  // Organisations whose average and rate wait for settle(): (challenge, everyone, level, team).
  std::mutex dirtyMu_;
  std::set<TeamKey> dirty_;
};

}  // namespace hub::cms::challenge
