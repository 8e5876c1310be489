// cms/challenge/total_audit.cpp
//
// The audit of totals: its table (migration 3), then its rows in the stored answers' table
// (migration 4); written with each batch of step submissions (and each report applied alone,
// each approval), read by the challenge's audit route.
#include "cms/challenge/total_audit.h"

#include "cms/api/time.h"
#include "cms/challenge/statement_widths.h"

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

sql::Migration answersCarryAuditMigration() {
  // The stored answers' table again, with an id, nullable answer columns (a change recorded
  // without a request: an approval, the one-by-one path) and the audit's columns (NULL on an
  // answer that changed no total). The audit rows keep their ids (the audit route's cursor),
  // the stored answers follow them.
  const std::string columns =
      " app_id BIGINT NULL, idem_key VARCHAR(64) NULL, body_hash CHAR(64) NULL, challenge_id BIGINT NOT NULL,"
      " day INT NOT NULL, status INT NULL, response TEXT NULL, created_at BIGINT NOT NULL, member_id BIGINT "
      "NULL,"
      " actor_id BIGINT NULL, actor_name VARCHAR(100) NULL, peer VARCHAR(64) NULL, day_best INT NULL,"
      " total_before BIGINT NULL, total_after BIGINT NULL, cause VARCHAR(64) NULL";
  const std::string copy =
      "INSERT INTO cms_challenge_requests (id, challenge_id, day, created_at, member_id, actor_id, "
      "actor_name,"
      " peer, day_best, total_before, total_after, cause) SELECT id, challenge_id, day, at, member_id, "
      "actor_id,"
      " actor_name, peer, day_best, total_before, total_after, cause FROM cms_challenge_total_audit ORDER BY "
      "id;"
      "INSERT INTO cms_challenge_requests (app_id, idem_key, body_hash, challenge_id, day, status, response,"
      " created_at) SELECT app_id, idem_key, body_hash, challenge_id, day, status, response, created_at"
      " FROM cms_challenge_requests_v3 ORDER BY created_at;"
      "DROP TABLE cms_challenge_requests_v3;DROP TABLE cms_challenge_total_audit;";
  sql::Migration m;
  m.component = "cms.challenge";
  m.version = 4;
  m.name = "the stored answers carry the audit of totals";
  m.sqlite =
      "ALTER TABLE cms_challenge_requests RENAME TO cms_challenge_requests_v3;"
      "DROP INDEX cms_challenge_requests_day;"
      "CREATE TABLE cms_challenge_requests (id INTEGER PRIMARY KEY," +
      columns + ");" + copy +
      "CREATE UNIQUE INDEX cms_challenge_requests_key ON cms_challenge_requests (app_id, idem_key);"
      "CREATE INDEX cms_challenge_requests_member ON cms_challenge_requests (challenge_id, member_id, id);"
      "CREATE INDEX cms_challenge_requests_day ON cms_challenge_requests (challenge_id, day);";
  m.mysql =
      "RENAME TABLE cms_challenge_requests TO cms_challenge_requests_v3;"
      "CREATE TABLE cms_challenge_requests (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY," +
      columns +
      ", UNIQUE KEY cms_challenge_requests_key (app_id, idem_key),"
      " KEY cms_challenge_requests_member (challenge_id, member_id, id),"
      " KEY cms_challenge_requests_day (challenge_id, day)) DEFAULT CHARSET=utf8mb4;" +
      copy;
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

void appendChange(sql::Params& row, const TotalChange* c) {
  if (!c) {
    row.insert(row.end(), 8, sql::Value());
    return;
  }
  row.emplace_back(c->memberId);
  row.emplace_back(c->actorId);
  row.emplace_back(c->actorName);
  row.emplace_back(c->peer);
  row.emplace_back(static_cast<std::int64_t>(c->dayBest));
  row.emplace_back(c->totalBefore);
  row.emplace_back(c->totalAfter);
  row.emplace_back(c->cause);
}

Status recordTotals(sql::Executor& db, const std::vector<TotalChange>& changes, std::int64_t at) {
  if (changes.empty()) return {};
  sql::Params params;
  params.reserve(changes.size() * 11);
  for (const auto& c : changes) {
    params.emplace_back(c.challengeId);
    params.emplace_back(static_cast<std::int64_t>(c.day));
    params.emplace_back(at);
    appendChange(params, &c);
  }
  if (auto r = db.exec("INSERT INTO cms_challenge_requests (challenge_id, day, created_at, member_id, "
                       "actor_id, actor_name,"
                       " peer, day_best, total_before, total_after, cause) VALUES " +
                           placeholders(changes.size(), 11),
                       params);
      !r)
    return r.error().wrap("audit of totals");
  return {};
}

Result<Json> totalHistory(sql::Executor& db, std::int64_t challengeId, std::optional<std::int64_t> memberId,
                          std::int64_t beforeId, int limit) {
  std::string sql =
      "SELECT a.id, a.created_at, a.actor_id, a.actor_name, a.peer, a.day, a.day_best, a.total_before, "
      "a.total_after,"
      " a.cause, m.member_no FROM cms_challenge_requests a JOIN cms_members m ON m.id = a.member_id"
      " WHERE a.challenge_id = ? AND a.cause IS NOT NULL";
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
                     {"at", formatTime(r.getInt("created_at"))},
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
