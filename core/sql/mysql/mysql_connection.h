// core/sql/mysql/mysql_connection.h
//
// The MySQL/MariaDB backend over Connector/C++ 1.1: one driver connection per pooled
// connection, utf8mb4, UTC session time zone, affected rows counted as matched rows (like
// SQLite), no driver-side auto-reconnect (it would silently drop our prepared statements; the
// pool reconnects and prepares them again instead).
#pragma once

#include <memory>

#include "core/sql/connection.h"
#include "core/sql/options.h"
#include "core/sql/url.h"

namespace hub::sql {

Result<std::unique_ptr<Connection>> openMysqlConnection(const Url& url, const Options& options);

}  // namespace hub::sql
