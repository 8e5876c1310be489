// core/sql/migration.cpp
//
// Checks the whole list and the database's state before applying anything, so a refused
// migrate leaves the database exactly as it was. Each migration re-checks, inside its own
// transaction, that it is still missing: on SQLite (BEGIN IMMEDIATE) that makes two processes
// starting at once safe.
#include "core/sql/migration.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "core/log/log.h"
#include "core/sql/errors.h"
#include "core/sql/statement_splitter.h"

namespace hub::sql {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component VARCHAR(64) NOT NULL,"
    " version INTEGER NOT NULL,"
    " name VARCHAR(255) NOT NULL,"
    " applied_at VARCHAR(32) NOT NULL,"
    " PRIMARY KEY (component, version))";

std::string nowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string label(const Migration& m) {
  return "migration " + m.component + "/" + std::to_string(m.version) + " (" + m.name + ")";
}

Status checkList(const std::vector<Migration>& migrations, std::string_view backend) {
  std::map<std::string, int> last;
  for (const Migration& m : migrations) {
    if (m.component.empty() || m.component.size() > 64)
      return makeError(errc::kMigration, label(m) + ": component must be 1 to 64 bytes");
    if (m.version < 1) return makeError(errc::kMigration, label(m) + ": version must be >= 1");
    const std::string& script = backend == "mysql" ? m.mysql : m.sqlite;
    if (splitStatements(script).empty())
      return makeError(errc::kMigration, label(m) + ": no statements for " + std::string(backend));
    auto [it, fresh] = last.try_emplace(m.component, m.version);
    if (!fresh) {
      if (m.version <= it->second)
        return makeError(errc::kMigration, label(m) +
                                               ": versions of a component must be listed in strictly "
                                               "increasing order (after " +
                                               std::to_string(it->second) + ")");
      it->second = m.version;
    }
  }
  return {};
}

Status applyOne(Database& db, const Migration& m) {
  std::vector<std::string> statements = splitStatements(db.backend() == "mysql" ? m.mysql : m.sqlite);
  bool skipped = false;
  Status st = db.transaction([&](Transaction& tx) -> Status {
    auto present = tx.query("SELECT 1 FROM schema_migrations WHERE component = ? AND version = ?",
                            {m.component, m.version});
    if (!present) return present.error();
    if (!present->empty()) {
      skipped = true;  // another process applied it meanwhile
      return {};
    }
    for (std::size_t i = 0; i < statements.size(); ++i) {
      if (auto r = tx.exec(statements[i]); !r)
        return r.error().wrap("statement " + std::to_string(i + 1) + " of " +
                              std::to_string(statements.size()));
    }
    auto rec =
        tx.exec("INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
                {m.component, m.version, m.name, nowUtc()});
    if (!rec) return rec.error();
    return {};
  });
  if (!st) {
    std::string hint = db.backend() == "mysql"
                           ? " (MySQL commits DDL as it goes: statements before the failing one "
                             "may be applied)"
                           : "";
    return st.error().wrap(label(m) + hint);
  }
  if (!skipped) hub::log::get("core.sql")->info("applied {}", label(m));
  return {};
}

}  // namespace

Migration Migration::portable(std::string component, int version, std::string name, std::string sql) {
  Migration m;
  m.component = std::move(component);
  m.version = version;
  m.name = std::move(name);
  m.sqlite = sql;
  m.mysql = std::move(sql);
  return m;
}

Status migrate(Database& db, const std::vector<Migration>& migrations) {
  if (Status st = checkList(migrations, db.backend()); !st) return st;
  if (auto r = db.exec(kCreateTable); !r) return r.error().wrap("create schema_migrations");

  auto rows = db.query("SELECT component, version FROM schema_migrations");
  if (!rows) return rows.error().wrap("read schema_migrations");
  std::map<std::string, std::set<int>> applied;
  for (const Row& row : *rows)
    applied[row.getString("component")].insert(static_cast<int>(row.getInt("version")));

  std::map<std::string, int> known;
  for (const Migration& m : migrations) known[m.component] = std::max(known[m.component], m.version);
  for (const auto& [component, maxKnown] : known) {
    auto it = applied.find(component);
    if (it == applied.end() || it->second.empty()) continue;
    int newest = *it->second.rbegin();
    if (newest > maxKnown)
      return makeError(errc::kMigrationNewer, "database " + db.url() + " has " + component +
                                                  " schema version " + std::to_string(newest) +
                                                  " but this hub knows versions up to " +
                                                  std::to_string(maxKnown) +
                                                  ": run a hub at least as new as the one that migrated it");
  }

  for (const Migration& m : migrations) {
    if (applied[m.component].contains(m.version)) continue;
    if (Status st = applyOne(db, m); !st) return st;
  }
  return {};
}

Result<std::vector<AppliedMigration>> appliedMigrations(Database& db) {
  if (auto r = db.exec(kCreateTable); !r) return r.error().wrap("create schema_migrations");
  auto rows = db.query(
      "SELECT component, version, name, applied_at FROM schema_migrations "
      "ORDER BY component, version");
  if (!rows) return rows.error().wrap("read schema_migrations");
  std::vector<AppliedMigration> out;
  for (const Row& row : *rows)
    out.push_back({row.getString("component"), static_cast<int>(row.getInt("version")), row.getString("name"),
                   row.getString("applied_at")});
  return out;
}

}  // namespace hub::sql
