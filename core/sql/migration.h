// core/sql/migration.h
//
// Versioned schema migrations, per component ("core", "media", "chat", "cms"). `hub migrate`
// and start-up pass every component's list to migrate(), which records what it applied in
// schema_migrations(component, version, name, applied_at) and applies the missing ones, each
// in a transaction. SQLite rolls a failed migration back whole; MySQL commits DDL implicitly,
// so there a failure can leave the statements before it applied (the error says which
// statement failed). Run migrate() from one process at a time.
#pragma once

#include <string>
#include <vector>

#include "core/sql/database.h"

namespace hub::sql {

struct Migration {
  std::string component;  // up to 64 bytes
  int version = 0;        // from 1, strictly increasing within a component
  std::string name;       // for people: "create streams"
  // One script per dialect: statements separated by ';' (see statement_splitter.h).
  std::string sqlite;
  std::string mysql;

  // For a script both dialects accept as written.
  static Migration portable(std::string component, int version, std::string name, std::string sql);
};

struct AppliedMigration {
  std::string component;
  int version = 0;
  std::string name;
  std::string appliedAt;  // UTC, ISO 8601
};

// Applies the migrations the database lacks, in list order (list a component's migrations in
// ascending version order, and components in dependency order). Refuses with
// "sql.migration_newer", before changing anything, when the database already has a version of
// a listed component above the highest one listed: that database belongs to a newer hub.
// Components the database has but the list does not name are left alone.
Status migrate(Database& db, const std::vector<Migration>& migrations);

// What schema_migrations holds, ordered by component and version (empty before the first run).
Result<std::vector<AppliedMigration>> appliedMigrations(Database& db);

}  // namespace hub::sql
