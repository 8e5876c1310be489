// core/sql/change_feed.cpp
//
// The upsert is one statement on both dialects, so concurrent bumps of one topic never lose
// an increment and never race on the insert.
#include "core/sql/change_feed.h"

#include "core/sql/errors.h"

namespace hub::sql {

std::vector<Migration> coreMigrations() {
  return {
      Migration::portable("core", 1, "change feed",
                          "CREATE TABLE hub_changes ("
                          " topic VARCHAR(64) NOT NULL PRIMARY KEY,"
                          " version BIGINT NOT NULL DEFAULT 0)"),
  };
}

Status bumpChange(Executor& db, std::string_view topic) {
  if (topic.empty() || topic.size() > 64)
    return makeError(errc::kQuery, "change topic must be 1 to 64 bytes");
  const char* sql = db.backend() == "mysql" ? "INSERT INTO hub_changes (topic, version) VALUES (?, 1) "
                                              "ON DUPLICATE KEY UPDATE version = version + 1"
                                            : "INSERT INTO hub_changes (topic, version) VALUES (?, 1) "
                                              "ON CONFLICT (topic) DO UPDATE SET version = version + 1";
  auto r = db.exec(sql, {topic});
  if (!r) return r.error().wrap("bump change " + std::string(topic));
  return {};
}

}  // namespace hub::sql
