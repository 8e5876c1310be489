// core/sql/sqlite/sqlite_connection.h
//
// The SQLite backend: one sqlite3 handle per pooled connection, opened in multi-thread mode
// (no per-call mutex: the pool lends a connection to one thread at a time). Several
// connections to one file let readers run in parallel under WAL while writers queue on the
// busy timeout; foreign keys are enforced.
#pragma once

#include <memory>

#include "core/sql/connection.h"
#include "core/sql/options.h"
#include "core/sql/url.h"

namespace hub::sql {

Result<std::unique_ptr<Connection>> openSqliteConnection(const Url& url, const Options& options);

}  // namespace hub::sql
