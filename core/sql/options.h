// core/sql/options.h
//
// Knobs of a Database handle. The defaults suit one machine; the app maps its config onto them.
#pragma once

#include <chrono>
#include <cstddef>

namespace hub::metrics {
class Registry;
}

namespace hub::sql {

struct Options {
  // Connections kept per Database (both backends). A caller beyond this many waits for a free
  // one up to acquireTimeout, then gets "sql.timeout".
  std::size_t poolSize = 8;
  std::chrono::milliseconds acquireTimeout{10'000};
  // MySQL: TCP connect timeout (whole seconds on the wire, rounded up).
  std::chrono::milliseconds connectTimeout{5'000};
  // MySQL: a pooled connection idle longer than this is pinged before use, so a server restart
  // costs a reconnect rather than a failed call. Zero pings on every use.
  std::chrono::milliseconds validateAfterIdle{1'000};
  // SQLite: how long a writer waits for the database lock before "sql.busy".
  std::chrono::milliseconds busyTimeout{5'000};
  // Prepared statements kept per connection (least recently used ones are closed).
  std::size_t statementCacheSize = 64;
  // Optional: query latency, errors by code, connections in use. Must outlive the Database.
  metrics::Registry* metrics = nullptr;
};

}  // namespace hub::sql
