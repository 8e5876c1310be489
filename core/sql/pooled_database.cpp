// core/sql/pooled_database.cpp
//
// The retry rule lives here, once for both backends: after a lost connection, reconnect
// (which prepares statements again lazily) and run the call a second time if that cannot
// apply a write twice. Reads are always safe to repeat; writes only when the driver failed
// before the statement could reach the server.
#include "core/sql/pooled_database.h"

#include <chrono>

#include "core/log/log.h"
#include "core/metrics/registry.h"
#include "core/sql/errors.h"

namespace hub::sql {
namespace {

const auto& log() {
  static const auto logger = hub::log::get("core.sql");
  return logger;
}

Pool::Settings poolSettings(const Options& options, const std::string& backend) {
  Pool::Settings s;
  s.size = options.poolSize;
  s.acquireTimeout = options.acquireTimeout;
  s.validateAfterIdle = options.validateAfterIdle;
  if (options.metrics)
    s.inUse = &options.metrics->gauge("hub_sql_connections_in_use",
                                      "Pooled SQL connections lent out right now", {{"backend", backend}});
  return s;
}

std::string_view abbreviate(std::string_view sql) { return sql.size() > 120 ? sql.substr(0, 120) : sql; }

}  // namespace

PooledDatabase::PooledDatabase(std::string backend, std::string redactedUrl, Pool::Factory factory,
                               const Options& options)
    : backend_(std::move(backend)),
      url_(std::move(redactedUrl)),
      metrics_(options.metrics),
      pool_(std::move(factory), poolSettings(options, backend_)) {
  if (metrics_)
    latency_ = &metrics_->histogram("hub_sql_query_duration_seconds",
                                    "Time of one SQL call, waiting for a connection included",
                                    metrics::latencyBuckets(), {{"backend", backend_}});
}

void PooledDatabase::countError(const Error& error) {
  if (metrics_)
    metrics_
        ->counter("hub_sql_errors_total", "Failed SQL calls by error code",
                  {{"backend", backend_}, {"code", error.code}})
        .inc();
}

template <class T, class Call>
Result<T> PooledDatabase::run(std::string_view sql, bool idempotent, Call&& call) {
  auto started = std::chrono::steady_clock::now();
  Result<T> result = [&]() -> Result<T> {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    Connection& conn = **lease;
    Result<T> r = call(conn);
    if (!r && conn.lost()) {
      if (!idempotent && conn.mayHaveRun()) {
        log()->warn("[db={}] connection lost during a write, not retried (outcome unknown): {}", url_,
                    r.error().message);
        return r;
      }
      log()->info("[db={}] connection lost ({}), reconnecting and retrying once", url_, r.error().message);
      if (auto st = conn.reconnect(); !st) return st.error();
      r = call(conn);
    }
    return r;
  }();
  if (latency_)
    latency_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!result) {
    countError(result.error());
    log()->debug("[db={}] {} failed: {}: {}", url_, abbreviate(sql), result.error().code,
                 result.error().message);
  }
  return result;
}

Result<Rows> PooledDatabase::query(std::string_view sql, const Params& params) {
  return run<Rows>(sql, true, [&](Connection& c) { return c.query(sql, params); });
}

Result<ExecResult> PooledDatabase::exec(std::string_view sql, const Params& params) {
  return run<ExecResult>(sql, false, [&](Connection& c) { return c.exec(sql, params, false); });
}

Result<ExecResult> PooledDatabase::insert(std::string_view sql, const Params& params) {
  return run<ExecResult>(sql, false, [&](Connection& c) { return c.exec(sql, params, true); });
}

Result<Transaction> PooledDatabase::begin() {
  auto lease = pool_.acquire();
  if (!lease) {
    countError(lease.error());
    return lease.error();
  }
  auto owned = std::make_unique<Lease>(std::move(lease).value());
  Connection& conn = **owned;
  Status st = conn.begin();
  if (!st && conn.lost()) {  // BEGIN has no effect worth fearing twice
    if (st = conn.reconnect(); st) st = conn.begin();
  }
  if (!st) {
    countError(st.error());
    return st.error().wrap("begin transaction");
  }
  return Transaction(std::move(owned), backend_);
}

Status PooledDatabase::ping() {
  auto r = query("SELECT 1");
  if (!r) return r.error().wrap("ping " + url_);
  return {};
}

}  // namespace hub::sql
