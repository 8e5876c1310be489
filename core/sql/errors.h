// core/sql/errors.h
//
// The stable error codes of hub::sql. Callers branch on these (a constraint violation is a 409,
// unavailability a 503, busy a retry), never on the driver's message text.
#pragma once

namespace hub::sql::errc {

inline constexpr const char* kUrl = "sql.url";                  // the URL cannot be parsed
inline constexpr const char* kUnavailable = "sql.unavailable";  // cannot connect / connection lost
inline constexpr const char* kConstraint = "sql.constraint";    // unique, primary or foreign key, NOT NULL
inline constexpr const char* kBusy = "sql.busy";                // lock wait, deadlock, SQLITE_BUSY: retry
inline constexpr const char* kTimeout = "sql.timeout";          // no pooled connection freed up in time
inline constexpr const char* kQuery = "sql.query";              // anything else the database refused
inline constexpr const char* kTransaction = "sql.transaction";  // use of a finished transaction
inline constexpr const char* kMigration = "sql.migration";      // a migration list that makes no sense
inline constexpr const char* kMigrationNewer = "sql.migration_newer";  // database ahead of this code

}  // namespace hub::sql::errc
