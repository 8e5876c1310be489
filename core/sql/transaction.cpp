// core/sql/transaction.cpp
//
// No retry in here, unlike Database: after a lost connection the transaction's earlier
// statements are gone with it, so only the caller can decide to start over.
#include "core/sql/transaction.h"

#include "core/log/log.h"
#include "core/sql/errors.h"
#include "core/sql/pool.h"

namespace hub::sql {
namespace {

Error finished() { return makeError(errc::kTransaction, "transaction already committed or rolled back"); }

}  // namespace

Transaction::Transaction(std::unique_ptr<Lease> lease, std::string_view backend)
    : lease_(std::move(lease)), backend_(backend) {}

Transaction::Transaction(Transaction&& other) noexcept
    : lease_(std::move(other.lease_)), backend_(other.backend_) {}

Transaction::~Transaction() {
  if (!lease_) return;
  if (auto st = finish(false); !st)
    hub::log::get("core.sql")->warn("rollback on destruction failed: {}", st.error().message);
}

Result<Rows> Transaction::query(std::string_view sql, const Params& params) {
  if (!lease_) return finished();
  return (*lease_)->query(sql, params);
}

Result<ExecResult> Transaction::exec(std::string_view sql, const Params& params) {
  if (!lease_) return finished();
  return (*lease_)->exec(sql, params, false);
}

Result<ExecResult> Transaction::insert(std::string_view sql, const Params& params) {
  if (!lease_) return finished();
  return (*lease_)->exec(sql, params, true);
}

Status Transaction::commit() { return finish(true); }
Status Transaction::rollback() { return finish(false); }

Status Transaction::finish(bool commit) {
  if (!lease_) return finished();
  std::unique_ptr<Lease> lease = std::move(lease_);
  Connection& conn = **lease;
  Status st = commit ? conn.commit() : conn.rollback();
  if (!st && !conn.lost()) {
    // A failed COMMIT may leave the transaction open on this connection: close it before the
    // connection goes back to the pool, or drop the connection if even that fails.
    if (commit) {
      if (auto rb = conn.rollback(); !rb) (void)conn.reconnect();
    } else {
      (void)conn.reconnect();
    }
  }
  return st;
}

}  // namespace hub::sql
