// core/sql/mysql/mysql_driver.cpp
//
// Driver lifetime and thread bookkeeping. The thread-local state counts ThreadScopes so a
// worker's explicit scope and the automatic init on first use never double the end call.
#include "core/sql/mysql/mysql_driver.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <mysql_driver.h>

#include "core/sql/errors.h"
#include "core/sql/thread_scope.h"

namespace hub::sql {
namespace mysql {
namespace {

struct ThreadState {
  int scopes = 0;
  bool initialized = false;
  void end() {
    if (!initialized) return;
    driver().threadEnd();
    initialized = false;
  }
  ~ThreadState() { end(); }
};

thread_local ThreadState tls;

}  // namespace

::sql::Driver& driver() {
  static ::sql::Driver* const instance = ::sql::mysql::get_driver_instance();  // owned by the library
  return *instance;
}

void ensureThreadInit() {
  if (tls.initialized) return;
  driver().threadInit();
  tls.initialized = true;
}

bool isConnectionLost(int code) {
  switch (code) {
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return true;
    default:
      return false;
  }
}

Error toError(const ::sql::SQLException& e) {
  int code = e.getErrorCode();
  const char* hubCode = errc::kQuery;
  switch (code) {
    case 1022:  // ER_DUP_KEY
    case 1048:  // ER_BAD_NULL_ERROR
    case 1062:  // ER_DUP_ENTRY
    case 1169:  // ER_DUP_UNIQUE
    case 1216:  // ER_NO_REFERENCED_ROW
    case 1217:  // ER_ROW_IS_REFERENCED
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
    case 1557:  // ER_FOREIGN_DUPLICATE_KEY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
    case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
    case 4025:  // ER_CONSTRAINT_FAILED (MariaDB CHECK)
      hubCode = errc::kConstraint;
      break;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
      hubCode = errc::kBusy;
      break;
    default:
      if (isConnectionLost(code)) hubCode = errc::kUnavailable;
      break;
  }
  std::string msg = e.what();
  if (code != 0) msg += " (mysql " + std::to_string(code) + ")";
  return makeError(hubCode, std::move(msg));
}

}  // namespace mysql

ThreadScope::ThreadScope() { ++mysql::tls.scopes; }

ThreadScope::~ThreadScope() {
  if (--mysql::tls.scopes == 0) mysql::tls.end();
}

}  // namespace hub::sql
