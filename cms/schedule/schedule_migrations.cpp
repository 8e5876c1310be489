// cms/schedule/schedule_migrations.cpp
#include "cms/schedule/schedule_migrations.h"

#include <string>

namespace hub::cms::schedule {
namespace {

sql::Migration both(int version, std::string name, const std::string& script) {
  sql::Migration m;
  m.component = "cms.schedule";
  m.version = version;
  m.name = std::move(name);
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
    return s;
  };
  m.sqlite = replace(script, "@ID@", "id INTEGER PRIMARY KEY AUTOINCREMENT");
  m.mysql = replace(script, "@ID@", "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY");
  return m;
}

// The calendar pages by (due_at, id): an index on due_at alone is ordered that way (the
// primary key closes every secondary index), so a month's first page reads its rows in order
// and stops at the page's end instead of sorting the whole month. It replaces (due_at,
// account_id), which could only feed a sort.
sql::Migration calendarOrder() {
  sql::Migration m;
  m.component = "cms.schedule";
  m.version = 2;
  m.name = "calendar in (due_at, id) order";
  m.sqlite =
      "CREATE INDEX cms_schedules_due_order ON cms_schedules (due_at);"
      "DROP INDEX cms_schedules_calendar";
  m.mysql =
      "CREATE INDEX cms_schedules_due_order ON cms_schedules (due_at);"
      "DROP INDEX cms_schedules_calendar ON cms_schedules";
  return m;
}

}  // namespace

std::vector<sql::Migration> migrations() {
  return {both(1, "create schedules, recurrences, outbox",
               "CREATE TABLE cms_recurrences ("
               " @ID@,"
               " org_id BIGINT NOT NULL,"
               " item_id BIGINT NOT NULL,"
               " rule TEXT NOT NULL,"
               " created_by BIGINT NOT NULL,"
               " created_at BIGINT NOT NULL);"
               "CREATE TABLE cms_schedules ("
               " @ID@,"
               " org_id BIGINT NOT NULL,"
               " item_id BIGINT NOT NULL,"
               " account_id BIGINT NOT NULL,"
               " platform VARCHAR(32) NOT NULL,"
               " title VARCHAR(255) NOT NULL,"
               " account_name VARCHAR(255) NOT NULL,"
               " due_at BIGINT NOT NULL,"
               " state VARCHAR(16) NOT NULL,"
               " recurrence_id BIGINT NULL,"
               " remote_id VARCHAR(255) NULL,"
               " last_error VARCHAR(1000) NULL,"
               " attempts INTEGER NOT NULL DEFAULT 0,"
               " created_by BIGINT NOT NULL,"
               " created_at BIGINT NOT NULL,"
               " updated_at BIGINT NOT NULL,"
               " posted_at_ms BIGINT NULL);"
               "CREATE UNIQUE INDEX cms_schedules_once ON cms_schedules (item_id, account_id, due_at);"
               "CREATE INDEX cms_schedules_due ON cms_schedules (state, due_at);"
               "CREATE INDEX cms_schedules_calendar ON cms_schedules (due_at, account_id);"
               "CREATE INDEX cms_schedules_account_day ON cms_schedules (account_id, due_at);"
               "CREATE TABLE cms_outbox ("
               " @ID@,"
               " schedule_id BIGINT NOT NULL,"
               " item_id BIGINT NOT NULL,"
               " account_id BIGINT NOT NULL,"
               " idempotency_key VARCHAR(128) NOT NULL,"
               " payload TEXT NOT NULL,"
               " state VARCHAR(16) NOT NULL,"
               " attempts INTEGER NOT NULL DEFAULT 0,"
               " lookups INTEGER NOT NULL DEFAULT 0,"
               " next_at_ms BIGINT NOT NULL,"
               " sent_at_ms BIGINT NULL,"
               " lease_owner VARCHAR(64) NULL,"
               " lease_until_ms BIGINT NULL,"
               " progress TEXT NOT NULL,"
               " remote_id VARCHAR(255) NULL,"
               " last_error VARCHAR(1000) NULL,"
               " created_at BIGINT NOT NULL,"
               " updated_at BIGINT NOT NULL);"
               "CREATE UNIQUE INDEX cms_outbox_schedule ON cms_outbox (schedule_id);"
               "CREATE UNIQUE INDEX cms_outbox_key ON cms_outbox (idempotency_key);"
               "CREATE INDEX cms_outbox_ready ON cms_outbox (state, next_at_ms);"
               "CREATE TABLE cms_inflight ("
               " item_id BIGINT NOT NULL,"
               " account_id BIGINT NOT NULL,"
               " outbox_id BIGINT NOT NULL,"
               " PRIMARY KEY (item_id, account_id))"),
          calendarOrder()};
}

}  // namespace hub::cms::schedule
