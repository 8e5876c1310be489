// core/sql/pool.cpp
//
// The lock is held only to move connections in and out of the idle stack: opening,
// validating and closing connections happen outside it, so one slow connect does not stall
// the threads that could reuse an idle connection meanwhile.
#include "core/sql/pool.h"

#include "core/metrics/registry.h"
#include "core/sql/errors.h"

namespace hub::sql {

Lease::~Lease() {
  if (conn_ && pool_) pool_->release(std::move(conn_));
}

Pool::Pool(Factory factory, Settings settings) : factory_(std::move(factory)), settings_(settings) {
  if (settings_.size == 0) settings_.size = 1;
}

Pool::~Pool() = default;

Status Pool::prime() {
  auto lease = acquire();
  if (!lease) return lease.error();
  return {};
}

Result<Lease> Pool::acquire() {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + settings_.acquireTimeout;
  while (idle_.empty() && open_ >= settings_.size) {
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= settings_.size)
      return makeError(errc::kTimeout, "no free connection within " +
                                           std::to_string(settings_.acquireTimeout.count()) +
                                           " ms (pool of " + std::to_string(settings_.size) + ")");
  }
  std::unique_ptr<Connection> conn;
  bool stale = false;
  if (!idle_.empty()) {
    Idle entry = std::move(idle_.back());
    idle_.pop_back();
    conn = std::move(entry.conn);
    stale = std::chrono::steady_clock::now() - entry.since >= settings_.validateAfterIdle;
  } else {
    ++open_;
  }
  lock.unlock();

  if (!conn) {
    auto made = factory_();
    if (!made) {
      std::lock_guard relock(mu_);
      --open_;
      freed_.notify_one();
      return made.error();
    }
    conn = std::move(made).value();
  } else if (stale) {
    // validate() reconnects on its own; if even that fails the server is down: give the slot
    // back and report it rather than handing out a dead connection.
    if (auto ok = conn->validate(); !ok) {
      conn.reset();
      std::lock_guard relock(mu_);
      --open_;
      freed_.notify_one();
      return ok.error();
    }
  }
  if (settings_.inUse) settings_.inUse->inc();
  return Lease(this, std::move(conn));
}

void Pool::release(std::unique_ptr<Connection> conn) {
  if (settings_.inUse) settings_.inUse->dec();
  if (conn->lost()) conn.reset();  // closed outside the lock
  std::lock_guard lock(mu_);
  if (conn)
    idle_.push_back(Idle{std::move(conn), std::chrono::steady_clock::now()});
  else
    --open_;
  freed_.notify_one();
}

}  // namespace hub::sql
