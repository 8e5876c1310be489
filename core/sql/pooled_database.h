// core/sql/pooled_database.h
//
// Internal: the Database both backends share. A backend is only a connection factory; the
// pool, the retry policy after a lost connection, metrics and transactions live here.
#pragma once

#include <string>

#include "core/sql/database.h"
#include "core/sql/pool.h"

namespace hub::metrics {
class Histogram;
}

namespace hub::sql {

class PooledDatabase final : public Database {
 public:
  PooledDatabase(std::string backend, std::string redactedUrl, Pool::Factory factory, const Options& options);

  Status prime() { return pool_.prime(); }

  Result<Rows> query(std::string_view sql, const Params& params = {}) override;
  Result<ExecResult> exec(std::string_view sql, const Params& params = {}) override;
  Result<ExecResult> insert(std::string_view sql, const Params& params = {}) override;
  std::string_view backend() const override { return backend_; }
  Result<Transaction> begin() override;
  Status ping() override;
  const std::string& url() const override { return url_; }

 private:
  template <class T, class Call>
  Result<T> run(std::string_view sql, bool idempotent, Call&& call);
  void countError(const Error& error);

  std::string backend_;
  std::string url_;
  metrics::Registry* metrics_;
  metrics::Histogram* latency_ = nullptr;
  Pool pool_;
};

}  // namespace hub::sql
