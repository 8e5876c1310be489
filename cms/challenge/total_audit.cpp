// cms/challenge/total_audit.cpp
//
// The cms_challenge_total_audit table: written with each batch of step submissions (and each
// report applied alone), read by the challenge's audit route.
#include "cms/challenge/total_audit.h"

#include "cms/api/time.h"

namespace hub::cms::challenge {

sql::Migration totalAuditMigration() {
  const std::string columns =
      " challenge_id BIGINT NOT NULL, member_id BIGINT NOT NULL, at BIGINT NOT NULL,"
      " actor_id BIGINT NOT NULL, actor_name VARCHAR(100) NOT NULL, peer VARCHAR(64) NOT NULL,"
      " day INT NOT NULL, day_best INT NOT NULL,"
      " total_before BIGINT NOT NULL, total_after BIGINT NOT NULL, cause VARCHAR(64) NOT NULL";
  sql::Migration m;
  m.component = "cms.challenge";
  m.version = 3;
  m.name = "the audit of totals, one index; no day index on the days";
  // cms_challenge_days_day (challenge_id, day) goes: only the statistics read by day, and they
  // aggregate every row of the challenge anyway (the primary key's prefix); each new day row
  // paid for it.
  m.sqlite = "CREATE TABLE cms_challenge_total_audit (id INTEGER PRIMARY KEY," + columns +
             ");CREATE INDEX cms_challenge_total_audit_member ON cms_challenge_total_audit (challenge_id, "
             "member_id, id);DROP INDEX cms_challenge_days_day;";
  m.mysql = "CREATE TABLE cms_challenge_total_audit (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY," +
            columns +
            ", KEY cms_challenge_total_audit_member (challenge_id, member_id, id)) DEFAULT CHARSET=utf8mb4;"
            "DROP INDEX cms_challenge_days_day ON cms_challenge_days;";
  return m;
}

TotalChange totalChange(const auth::Actor& actor, std::int64_t challengeId, std::int64_t memberId, Day day,
                        int dayBest, std::int64_t totalBefore, std::int64_t totalAfter, std::string cause) {
  return TotalChange{challengeId,
                     memberId,
                     actor.userId,
                     actor.username.substr(0, 100),
                     actor.peer.substr(0, 64),
                     day,
                     dayBest,
                     totalBefore,
                     totalAfter,
                     cause.substr(0, 64)};
}

Status recordTotals(sql::Executor& db, const std::vector<TotalChange>& changes, std::int64_t at) {
  if (changes.empty()) return {};
  std::string sql =
      "INSERT INTO cms_challenge_total_audit (challenge_id, member_id, at, actor_id, actor_name, peer, day,"
      " day_best, total_before, total_after, cause) VALUES ";
  sql::Params params;
  params.reserve(changes.size() * 11);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    sql += i ? ",(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    params.emplace_back(c.challengeId);
    params.emplace_back(c.memberId);
    params.emplace_back(at);
    params.emplace_back(c.actorId);
    params.emplace_back(c.actorName);
    params.emplace_back(c.peer);
    params.emplace_back(static_cast<std::int64_t>(c.day));
    params.emplace_back(static_cast<std::int64_t>(c.dayBest));
    params.emplace_back(c.totalBefore);
    params.emplace_back(c.totalAfter);
    params.emplace_back(c.cause);
  }
  if (auto r = db.exec(sql, params); !r) return r.error().wrap("audit of totals");
  return {};
}

Result<Json> totalHistory(sql::Executor& db, std::int64_t challengeId, std::optional<std::int64_t> memberId,
                          std::int64_t beforeId, int limit) {
  std::string sql =
      "SELECT a.id, a.at, a.actor_id, a.actor_name, a.peer, a.day, a.day_best, a.total_before, a.total_after,"
      " a.cause, m.member_no FROM cms_challenge_total_audit a JOIN cms_members m ON m.id = a.member_id"
      " WHERE a.challenge_id = ?";
  sql::Params params{challengeId};
  if (memberId) {
    sql += " AND a.member_id = ?";
    params.emplace_back(*memberId);
  }
  if (beforeId > 0) {
    sql += " AND a.id < ?";
    params.emplace_back(beforeId);
  }
  sql += " ORDER BY a.id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  auto rows = db.query(sql, params);
  if (!rows) return rows.error().wrap("audit of totals");
  Json items = Json::array();
  for (const auto& r : *rows)
    items.push_back({{"id", r.getInt("id")},
                     {"at", formatTime(r.getInt("at"))},
                     {"actor", {{"id", r.getInt("actor_id")}, {"username", r.getString("actor_name")}}},
                     {"peer", r.getString("peer")},
                     {"member_no", r.getString("member_no")},
                     {"date", formatDay(static_cast<Day>(r.getInt("day")))},
                     {"day_best", r.getInt("day_best")},
                     {"before", {{"total", r.getInt("total_before")}}},
                     {"after", {{"total", r.getInt("total_after")}}},
                     {"cause", r.getString("cause")}});
  return items;
}

}  // namespace hub::cms::challenge
