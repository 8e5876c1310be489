// core/sql/connection.h
//
// Internal: one backend connection, used by one thread at a time (the pool guarantees it).
// Backends implement this; everything above it (pool, retry, transactions) is shared.
#pragma once

#include <string_view>

#include "core/sql/executor.h"

namespace hub::sql {

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Result<Rows> query(std::string_view sql, const Params& params) = 0;
  // wantId: also report the id an INSERT/REPLACE generated (ExecResult::lastInsertId).
  virtual Result<ExecResult> exec(std::string_view sql, const Params& params, bool wantId) = 0;
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;

  // Cheap liveness check (a ping) that reconnects when the server went away.
  virtual Status validate() = 0;
  // Drops the session and its prepared statements and connects again.
  virtual Status reconnect() = 0;

  // lost(): the session is gone; it stays so until reconnect() succeeds, and the pool closes
  // a lost connection instead of lending it again. mayHaveRun(): about the last failed call,
  // the statement could have reached the server before the loss (retrying a write could
  // apply it twice).
  bool lost() const { return lost_; }
  bool mayHaveRun() const { return mayHaveRun_; }

 protected:
  bool lost_ = false;
  bool mayHaveRun_ = false;
};

}  // namespace hub::sql
