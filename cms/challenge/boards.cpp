// cms/challenge/boards.cpp
//
// Feeding and rebuilding a challenge's boards.
#include "cms/challenge/boards.h"

#include <map>
#include <set>

#include "cms/org/org_tree.h"

namespace hub::cms::challenge {
namespace {

std::string prefix(std::int64_t cid) { return "c" + std::to_string(cid) + ":"; }

const char* metricSuffix(OrgMetric m) {
  switch (m) {
    case OrgMetric::Total:
      return "t";
    case OrgMetric::Participants:
      return "p";
    case OrgMetric::Average:
      return "a";
    case OrgMetric::Rate:
      return "r";
  }
  return "t";
}

}  // namespace

std::string Boards::individuals(std::int64_t cid) { return prefix(cid) + "i:t"; }
std::string Boards::individualsDay(std::int64_t cid, Day day) {
  return prefix(cid) + "i:d" + std::to_string(day);
}
std::string Boards::individualsWeek(std::int64_t cid, std::int64_t week) {
  return prefix(cid) + "i:w" + std::to_string(week);
}
std::string Boards::orgs(std::int64_t cid, TeamLevel level, OrgMetric metric) {
  return prefix(cid) + "o" + std::to_string(static_cast<int>(level)) + ":" + metricSuffix(metric);
}
std::string Boards::orgsWithin(std::int64_t cid, TeamLevel level, std::int64_t parent) {
  return orgs(cid, level, OrgMetric::Total) + ":" + std::to_string(parent);
}

std::vector<TeamLevel> Boards::levels(const Challenge& c) {
  std::vector<TeamLevel> out;
  for (int l = static_cast<int>(TeamLevel::City); l <= static_cast<int>(c.teamLevel); ++l)
    out.push_back(static_cast<TeamLevel>(l));
  return out;
}

Result<std::int64_t> Boards::membersOf(std::int64_t orgId) {
  {
    std::lock_guard lock(mu_);
    if (auto it = members_.find(orgId); it != members_.end()) return it->second;
  }
  const std::string path = orgs_.pathOf(orgId);
  if (path.empty()) return std::int64_t{0};
  auto rows = db_.query(
      "SELECT COUNT(*) AS n FROM cms_members m JOIN cms_orgs o ON o.id = m.org_id WHERE o.path LIKE ?",
      {path + "%"});
  if (!rows) return rows.error().wrap("members of org");
  const std::int64_t n = rows->empty() ? 0 : (*rows)[0].getInt("n");
  std::lock_guard lock(mu_);
  members_[orgId] = n;
  return n;
}

Status Boards::refreshDerived(const Challenge& c, TeamLevel level, std::int64_t team) {
  return refreshDerived({TeamKey{c.id, c.everyone, static_cast<int>(level), team}});
}

Status Boards::refreshDerived(const std::vector<TeamKey>& teams) {
  if (teams.empty()) return {};
  std::vector<BoardScore> at;
  at.reserve(teams.size() * 2);
  for (const auto& [cid, everyone, level, team] : teams) {
    at.push_back(BoardScore{orgs(cid, static_cast<TeamLevel>(level), OrgMetric::Total), team, 0});
    at.push_back(BoardScore{orgs(cid, static_cast<TeamLevel>(level), OrgMetric::Participants), team, 0});
  }
  auto scores = ranking_.scoresOf(at);
  if (!scores) return scores.error();
  Status first;
  std::vector<BoardScore> derived;
  derived.reserve(teams.size() * 2);
  for (std::size_t i = 0; i < teams.size(); ++i) {
    const auto& [cid, everyone, level, team] = teams[i];
    auto members = membersOf(team);
    if (!members) {
      if (first) first = members.error();
      continue;
    }
    const std::int64_t t = (*scores)[2 * i].value_or(0);
    const std::int64_t p = (*scores)[2 * i + 1].value_or(0);
    const std::int64_t divisor = everyone ? *members : p;
    derived.push_back(BoardScore{orgs(cid, static_cast<TeamLevel>(level), OrgMetric::Average), team,
                                 divisor > 0 ? t / divisor : 0});
    derived.push_back(BoardScore{orgs(cid, static_cast<TeamLevel>(level), OrgMetric::Rate), team,
                                 *members > 0 ? p * 1000000 / *members : 0});
  }
  if (auto st = ranking_.setMany(derived); !st) return st;
  return first;
}

Status Boards::joined(const Challenge& c, std::int64_t memberOrgId) {
  for (auto level : levels(c)) {
    const auto team = teamAt(orgs_, memberOrgId, level);
    if (team == 0) continue;
    if (auto r = ranking_.add(orgs(c.id, level, OrgMetric::Participants), team, 1); !r) return r.error();
    if (auto r = ranking_.add(orgs(c.id, level, OrgMetric::Total), team, 0); !r) return r.error();
    if (auto org = orgs_.get(team))
      if (auto r = ranking_.add(orgsWithin(c.id, level, org->parentId), team, 0); !r) return r.error();
    if (auto st = refreshDerived(c, level, team); !st) return st;
  }
  return {};
}

Status Boards::counted(const Challenge& c, std::int64_t memberId, std::int64_t memberOrgId, Day day,
                       std::int64_t delta) {
  if (auto r = ranking_.add(individuals(c.id), memberId, delta); !r) return r.error();
  if (delta != 0) {  // a join alone puts the member on the total board only
    if (auto r = ranking_.add(individualsDay(c.id, day), memberId, delta); !r) return r.error();
    if (auto r = ranking_.add(individualsWeek(c.id, weekOf(day)), memberId, delta); !r) return r.error();
  }
  for (auto level : levels(c)) {
    const auto team = teamAt(orgs_, memberOrgId, level);
    if (team == 0) continue;
    if (auto r = ranking_.add(orgs(c.id, level, OrgMetric::Total), team, delta); !r) return r.error();
    if (auto org = orgs_.get(team))
      if (auto r = ranking_.add(orgsWithin(c.id, level, org->parentId), team, delta); !r) return r.error();
    if (auto st = refreshDerived(c, level, team); !st) return st;
  }
  return {};
}

Status Boards::feed(const Challenge& c, const std::vector<Fed>& batch) {
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> sums;  // (board, id) -> delta
  std::set<TeamKey> touched;
  for (const auto& f : batch) {
    if (f.delta == 0 && !f.joined) continue;
    sums[{individuals(c.id), f.memberId}] += f.delta;
    if (f.delta != 0) {  // a join alone puts the member on the total board only
      sums[{individualsDay(c.id, f.day), f.memberId}] += f.delta;
      sums[{individualsWeek(c.id, weekOf(f.day)), f.memberId}] += f.delta;
    }
    for (auto level : levels(c)) {
      const auto team = teamAt(orgs_, f.memberOrgId, level);
      if (team == 0) continue;
      if (f.joined) sums[{orgs(c.id, level, OrgMetric::Participants), team}] += 1;
      sums[{orgs(c.id, level, OrgMetric::Total), team}] += f.delta;
      if (auto org = orgs_.get(team)) sums[{orgsWithin(c.id, level, org->parentId), team}] += f.delta;
      touched.insert({c.id, c.everyone, static_cast<int>(level), team});
    }
  }
  std::vector<Increment> increments;
  increments.reserve(sums.size());
  for (auto& [key, delta] : sums) increments.push_back(Increment{key.first, key.second, delta});
  auto st = ranking_.addMany(increments);
  std::lock_guard lock(dirtyMu_);
  dirty_.insert(touched.begin(), touched.end());
  return st;
}

Status Boards::settle(std::int64_t cid) {
  std::vector<TeamKey> work;
  {
    std::lock_guard lock(dirtyMu_);
    for (auto it = dirty_.begin(); it != dirty_.end();) {
      if (cid == 0 || std::get<0>(*it) == cid) {
        work.push_back(*it);
        it = dirty_.erase(it);
      } else {
        ++it;
      }
    }
  }
  return refreshDerived(work);
}

Status Boards::rebuild(const Challenge& c) {
  {
    std::lock_guard lock(mu_);
    members_.clear();
  }
  auto parts = db_.query(
      "SELECT member_id, org_id, total FROM cms_challenge_participants WHERE challenge_id = ?", {c.id});
  if (!parts) return parts.error().wrap("rebuild");
  auto days = db_.query("SELECT member_id, day, best FROM cms_challenge_days WHERE challenge_id = ?", {c.id});
  if (!days) return days.error().wrap("rebuild");

  // Everything that will be written, computed first.
  struct Team {
    std::int64_t total = 0, participants = 0;
  };
  std::map<std::pair<int, std::int64_t>, Team> teams;  // (level, team)
  std::map<std::int64_t, std::int64_t> memberOrg;
  for (const auto& r : *parts) {
    memberOrg[r.getInt("member_id")] = r.getInt("org_id");
    for (auto level : levels(c)) {
      const auto team = teamAt(orgs_, r.getInt("org_id"), level);
      if (team == 0) continue;
      auto& t = teams[{static_cast<int>(level), team}];
      t.total += r.getInt("total");
      ++t.participants;
    }
  }
  std::map<std::pair<Day, std::int64_t>, std::int64_t> byDay;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> byWeek;
  for (const auto& r : *days) {
    const Day day = static_cast<Day>(r.getInt("day"));
    const auto counted = countedSteps(c.rules(), static_cast<int>(r.getInt("best")));
    byDay[{day, r.getInt("member_id")}] = counted;
    byWeek[{weekOf(day), r.getInt("member_id")}] += counted;
  }

  // Clear.
  std::set<std::string> boards = {individuals(c.id)};
  for (Day d = c.firstDay; d <= c.lastDay; ++d) {
    boards.insert(individualsDay(c.id, d));
    boards.insert(individualsWeek(c.id, weekOf(d)));
  }
  for (auto level : levels(c))
    for (auto m : {OrgMetric::Total, OrgMetric::Participants, OrgMetric::Average, OrgMetric::Rate})
      boards.insert(orgs(c.id, level, m));
  for (const auto& [key, t] : teams)
    if (auto org = orgs_.get(key.second))
      boards.insert(orgsWithin(c.id, static_cast<TeamLevel>(key.first), org->parentId));
  for (const auto& b : boards)
    if (auto st = ranking_.clear(b); !st) return st;

  // Fill.
  for (const auto& r : *parts)
    if (auto st = ranking_.set(individuals(c.id), r.getInt("member_id"), r.getInt("total")); !st) return st;
  for (const auto& [k, v] : byDay)
    if (auto st = ranking_.set(individualsDay(c.id, k.first), k.second, v); !st) return st;
  for (const auto& [k, v] : byWeek)
    if (auto st = ranking_.set(individualsWeek(c.id, k.first), k.second, v); !st) return st;
  for (const auto& [key, t] : teams) {
    const auto level = static_cast<TeamLevel>(key.first);
    if (auto st = ranking_.set(orgs(c.id, level, OrgMetric::Total), key.second, t.total); !st) return st;
    if (auto st = ranking_.set(orgs(c.id, level, OrgMetric::Participants), key.second, t.participants); !st)
      return st;
    if (auto org = orgs_.get(key.second))
      if (auto st = ranking_.set(orgsWithin(c.id, level, org->parentId), key.second, t.total); !st) return st;
    if (auto st = refreshDerived(c, level, key.second); !st) return st;
  }
  return {};
}

}  // namespace hub::cms::challenge
