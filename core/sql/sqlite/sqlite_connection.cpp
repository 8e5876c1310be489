// core/sql/sqlite/sqlite_connection.cpp
//
// SQLite result codes become hub::sql error codes here. Statements are prepared with
// SQLITE_PREPARE_PERSISTENT and kept per connection; each use resets and unbinds them.
#include "core/sql/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include "core/log/log.h"
#include "core/sql/errors.h"
#include "core/sql/statement_cache.h"
#include "core/sql/statement_splitter.h"
#include "core/util/handle.h"

namespace hub::sql {
namespace {

inline void closeDb(sqlite3* db) { sqlite3_close_v2(db); }
inline void finalizeStmt(sqlite3_stmt* s) { sqlite3_finalize(s); }
using DbPtr = Handle<sqlite3, closeDb>;
using StmtPtr = Handle<sqlite3_stmt, finalizeStmt>;

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* code = errc::kQuery;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      code = errc::kConstraint;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = errc::kBusy;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = errc::kUnavailable;
      break;
    default:
      break;
  }
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!what.empty()) msg = std::string(what) + ": " + msg;
  return makeError(code, msg);
}

// Resets a statement when a call is over, so it holds no read lock while cached.
struct ResetOnExit {
  sqlite3_stmt* stmt;
  ~ResetOnExit() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(DbPtr db, std::size_t cacheSize) : db_(std::move(db)), cache_(cacheSize) {}

  Result<Rows> query(std::string_view sql, const Params& params) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return stmt.error();
    sqlite3_stmt* s = *stmt;
    ResetOnExit reset{s};
    Rows rows;
    int n = sqlite3_column_count(s);
    auto cols = std::make_shared<Columns>();
    for (int i = 0; i < n; ++i) cols->emplace_back(sqlite3_column_name(s, i));
    rows.columns = cols;
    for (;;) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return sqliteError(db_.get(), rc, "");
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) values.push_back(column(s, i));
      rows.rows.emplace_back(rows.columns, std::move(values));
    }
    return rows;
  }

  Result<ExecResult> exec(std::string_view sql, const Params& params, bool wantId) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return stmt.error();
    sqlite3_stmt* s = *stmt;
    ResetOnExit reset{s};
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return sqliteError(db_.get(), rc, "");
    ExecResult out;
    // sqlite3_changes() keeps the count of the last DML statement: report it only for DML,
    // so DDL says 0 as on MySQL.
    std::string kw = firstKeyword(sql);
    bool dml = kw == "INSERT" || kw == "REPLACE" || kw == "UPDATE" || kw == "DELETE" ||
               (kw == "WITH" && !sqlite3_stmt_readonly(s));
    if (dml) out.affected = sqlite3_changes64(db_.get());
    if (wantId) out.lastInsertId = sqlite3_last_insert_rowid(db_.get());
    return out;
  }

  // IMMEDIATE takes the write lock now: a deferred transaction that reads and then writes can
  // hit SQLITE_BUSY half-way, where the busy handler cannot help.
  Status begin() override { return simple("BEGIN IMMEDIATE"); }
  Status commit() override { return simple("COMMIT"); }
  Status rollback() override { return simple("ROLLBACK"); }
  Status validate() override { return {}; }
  Status reconnect() override { return {}; }  // a file does not go away like a server

 private:
  Status simple(std::string_view sql) {
    auto r = exec(sql, {}, false);
    if (!r) return r.error();
    return {};
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql, const Params& params) {
    sqlite3_stmt* s = cache_.find(sql);
    if (!s) {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &raw, &tail);
      StmtPtr owned(raw);
      if (rc != SQLITE_OK) return sqliteError(db_.get(), rc, "prepare");
      if (!owned) return makeError(errc::kQuery, "prepare: empty statement");
      std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
      if (!splitStatements(rest).empty())
        return makeError(errc::kQuery,
                         "prepare: more than one statement (split scripts with splitStatements)");
      s = cache_.put(sql, std::move(owned));
    }
    int expected = sqlite3_bind_parameter_count(s);
    if (static_cast<std::size_t>(expected) != params.size())
      return makeError(errc::kQuery, "statement takes " + std::to_string(expected) + " parameters, " +
                                         std::to_string(params.size()) + " given");
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      int rc = SQLITE_OK;
      switch (v.kind()) {
        case Value::Kind::Null:
          rc = sqlite3_bind_null(s, idx);
          break;
        case Value::Kind::Int:
          rc = sqlite3_bind_int64(s, idx, std::get<std::int64_t>(v.storage()));
          break;
        case Value::Kind::Double:
          rc = sqlite3_bind_double(s, idx, std::get<double>(v.storage()));
          break;
        case Value::Kind::Text: {
          const auto& t = std::get<std::string>(v.storage());
          rc = sqlite3_bind_text64(s, idx, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
          break;
        }
        case Value::Kind::Blob: {
          const auto& b = std::get<Blob>(v.storage()).bytes;
          rc = sqlite3_bind_blob64(s, idx, b.data(), b.size(), SQLITE_TRANSIENT);
          break;
        }
      }
      if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(s);
        return sqliteError(db_.get(), rc, "bind parameter " + std::to_string(idx));
      }
    }
    return s;
  }

  static Value column(sqlite3_stmt* s, int i) {
    switch (sqlite3_column_type(s, i)) {
      case SQLITE_INTEGER:
        return Value(static_cast<std::int64_t>(sqlite3_column_int64(s, i)));
      case SQLITE_FLOAT:
        return Value(sqlite3_column_double(s, i));
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        return Value(std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, i))));
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
        return Value(Blob{std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, i)))});
      }
      default:
        return Value();
    }
  }

  DbPtr db_;
  StatementCache<StmtPtr> cache_;  // declared after db_: finalized before the close
};

Status pragma(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  if (rc != SQLITE_OK) return sqliteError(nullptr, rc, sql + ": " + msg);
  return {};
}

}  // namespace

Result<std::unique_ptr<Connection>> openSqliteConnection(const Url& url, const Options& options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(url.path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    Error e = sqliteError(db.get(), rc, url.path);
    e.code = errc::kUnavailable;
    return e;
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busyTimeout.count()));
  // WAL: readers do not block the writer nor it them. NORMAL sync is durable across process
  // crashes (not power loss of the last commits), the usual pairing with WAL.
  for (const char* p : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (Status st = pragma(db.get(), p); !st) {
      Error e = st.error().wrap(url.path);
      e.code = errc::kUnavailable;
      return e;
    }
  }
  return std::unique_ptr<Connection>(
      std::make_unique<SqliteConnection>(std::move(db), options.statementCacheSize));
}

}  // namespace hub::sql
