// core/sql/database.h
//
// The one SQL interface of the hub, with two backends: SQLite (embedded, the default) and
// MySQL/MariaDB through Connector/C++ 1.1. open() picks the backend from the URL.
//
// Threads: a Database is safe to share between threads. Every call blocks (run it on a worker
// pool, never on an event loop), takes a connection from the pool for its duration and
// returns it. MySQL threads are set up for the driver automatically (see thread_scope.h).
// Retries: a query() whose connection turns out to be lost is retried once on a fresh
// connection; an exec() only when the statement cannot have reached the server, because a
// write must not be applied twice. No call is retried inside a Transaction.
// Errors never escape as exceptions; codes are in errors.h.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/sql/executor.h"
#include "core/sql/options.h"
#include "core/sql/transaction.h"

namespace hub::sql {

class Database : public Executor {
 public:
  // Starts a transaction on a connection of its own (SQLite: BEGIN IMMEDIATE, so writers queue
  // on the busy timeout up front instead of failing half-way through).
  virtual Result<Transaction> begin() = 0;

  // Runs fn in a transaction: commits when fn succeeds, rolls back when it returns an error.
  Status transaction(const std::function<Status(Transaction&)>& fn);

  // One round trip to the database; what /readyz asks.
  virtual Status ping() = 0;

  // The URL this handle was opened with, password redacted.
  virtual const std::string& url() const = 0;
};

// "sqlite:///abs/path.db", "sqlite://relative/path.db", "sqlite://:memory:" (one connection),
// "mysql://user:pass@host:port/db". Connects once before returning, so a bad URL or an
// unreachable server is reported here, with the URL's password redacted.
Result<std::unique_ptr<Database>> open(std::string_view url, const Options& options = {});

}  // namespace hub::sql
