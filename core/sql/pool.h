// core/sql/pool.h
//
// Internal: a bounded pool of Connections shared by the threads that call one Database. A
// Lease hands one connection to one thread and gives it back on destruction; a connection
// whose session was lost is closed on return instead, and the pool opens a new one on demand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/sql/connection.h"
#include "core/util/result.h"

namespace hub::metrics {
class Gauge;
}

namespace hub::sql {

class Pool;

class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;
  struct Settings {
    std::size_t size = 8;
    std::chrono::milliseconds acquireTimeout{10'000};
    std::chrono::milliseconds validateAfterIdle{1'000};
    metrics::Gauge* inUse = nullptr;  // optional
  };

  Pool(Factory factory, Settings settings);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();  // every Lease must be gone by now

  // Opens one connection now, so that a bad URL or an unreachable server fails at start-up.
  Status prime();
  // A free connection, a new one when under the limit, else waits up to acquireTimeout.
  Result<Lease> acquire();

 private:
  friend class Lease;
  void release(std::unique_ptr<Connection> conn);

  struct Idle {
    std::unique_ptr<Connection> conn;
    std::chrono::steady_clock::time_point since;
  };

  Factory factory_;
  Settings settings_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Idle> idle_;  // a stack: the warmest connection is reused first
  std::size_t open_ = 0;    // idle + leased + being opened
};

}  // namespace hub::sql
