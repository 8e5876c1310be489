// core/sql/database.cpp
//
// open() picks the backend from the URL; Database::transaction() is the commit-or-roll-back
// wrapper most callers want instead of a bare Transaction.
#include "core/sql/database.h"

#include "core/log/log.h"
#include "core/sql/mysql/mysql_connection.h"
#include "core/sql/pooled_database.h"
#include "core/sql/sqlite/sqlite_connection.h"
#include "core/sql/url.h"

namespace hub::sql {

Status Database::transaction(const std::function<Status(Transaction&)>& fn) {
  auto tx = begin();
  if (!tx) return tx.error();
  if (Status st = fn(*tx); !st) return st;  // the Transaction's destructor rolls back
  return tx->commit();
}

Result<std::unique_ptr<Database>> open(std::string_view rawUrl, const Options& options) {
  auto url = parseUrl(rawUrl);
  if (!url) return url.error();
  std::string redacted = redactUrl(rawUrl);

  Options opts = options;
  std::unique_ptr<PooledDatabase> db;
  if (url->scheme == Url::Scheme::Sqlite) {
    // Every connection to ":memory:" would be a database of its own: keep exactly one.
    if (url->path == ":memory:") opts.poolSize = 1;
    db = std::make_unique<PooledDatabase>(
        "sqlite", redacted, [u = *url, opts]() { return openSqliteConnection(u, opts); }, opts);
  } else {
    db = std::make_unique<PooledDatabase>(
        "mysql", redacted, [u = *url, opts]() { return openMysqlConnection(u, opts); }, opts);
  }
  if (Status st = db->prime(); !st) return st.error().wrap("sql open " + redacted);
  hub::log::get("core.sql")->info("[db={}] opened, pool of up to {}", redacted, opts.poolSize);
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace hub::sql
