// core/sql/transaction.h
//
// A transaction holds one pooled connection until it ends. Nothing is kept unless commit()
// is called: destroying an open Transaction rolls it back, so an early return or an error
// path cannot leave half a change behind. Use it from one thread at a time, and let it die
// before the Database that made it. Inside a transaction, run everything through it, not
// through the Database: on SQLite another connection's write would wait for this
// transaction's lock (and fail with "sql.busy" after the busy timeout).
#pragma once

#include <memory>
#include <string_view>

#include "core/sql/executor.h"

namespace hub::sql {

class Lease;

class Transaction final : public Executor {
 public:
  Transaction(std::unique_ptr<Lease> lease, std::string_view backend);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction() override;

  Result<Rows> query(std::string_view sql, const Params& params = {}) override;
  Result<ExecResult> exec(std::string_view sql, const Params& params = {}) override;
  Result<ExecResult> insert(std::string_view sql, const Params& params = {}) override;
  std::string_view backend() const override { return backend_; }

  // Either ends the transaction; afterwards every call fails with "sql.transaction". A
  // failed commit leaves nothing applied (the connection is rolled back or dropped).
  Status commit();
  Status rollback();
  bool active() const { return lease_ != nullptr; }

 private:
  Status finish(bool commit);

  std::unique_ptr<Lease> lease_;  // null once finished
  std::string_view backend_;
};

}  // namespace hub::sql
