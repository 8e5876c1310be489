// core/sql/mysql/mysql_driver.h
//
// Internal: the process-wide Connector/C++ driver, the per-thread init it requires, and the
// translation of its exceptions into hub::sql errors (the only place that reads MySQL error
// numbers).
#pragma once

#include <string_view>

#include "core/util/result.h"

namespace sql {
class Driver;
class SQLException;
}  // namespace sql

namespace hub::sql::mysql {

// The driver, created on first use (creation is not thread-safe in Connector/C++).
::sql::Driver& driver();

// threadInit() for the calling thread unless done; threadEnd() follows at thread exit or when
// the thread's outermost ThreadScope ends.
void ensureThreadInit();

// MySQL error numbers (server ER_* and client CR_*) that mean the session is gone.
bool isConnectionLost(int code);

// "sql.constraint" for duplicate keys and the like, "sql.busy" for deadlocks and lock waits,
// "sql.unavailable" for lost connections, "sql.query" otherwise.
Error toError(const ::sql::SQLException& e);

}  // namespace hub::sql::mysql
