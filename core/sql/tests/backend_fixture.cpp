// core/sql/tests/backend_fixture.cpp
//
// Schemas are named after the pid and a counter so parallel test processes never collide.
#include "core/sql/tests/backend_fixture.h"

#include <unistd.h>

#include <atomic>

#include "core/sql/url.h"

namespace hub::sql::testing {

TestDatabase::TestDatabase(std::string backend) : backend_(std::move(backend)) {
  if (backend_ == "sqlite") {
    dir_ = std::make_unique<hub::test::TempDir>();
    url_ = "sqlite://" + dir_->path() + "/test.db";  // path is absolute: sqlite:///tmp/...
    return;
  }
  static std::atomic<int> counter{0};
  std::string base = hub::test::mariadbUrl();
  auto admin = sql::open(base);
  if (!admin) {
    ADD_FAILURE() << "MariaDB fixture unreachable: " << admin.error().message;
    return;
  }
  admin_ = std::move(admin).value();
  schema_ = "hub_sql_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  auto made =
      admin_->exec("CREATE DATABASE " + schema_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
  if (!made) {
    ADD_FAILURE() << "create database: " << made.error().message;
    return;
  }
  auto parsed = parseUrl(base);
  if (!parsed) {
    ADD_FAILURE() << parsed.error().message;
    return;
  }
  parsed->database = schema_;
  url_ = formatUrl(*parsed);
}

TestDatabase::~TestDatabase() {
  if (admin_ && !schema_.empty()) {
    auto dropped = admin_->exec("DROP DATABASE IF EXISTS " + schema_);
    if (!dropped) ADD_FAILURE() << "drop database: " << dropped.error().message;
  }
}

std::unique_ptr<Database> TestDatabase::open(const Options& options) const {
  if (url_.empty()) return nullptr;
  auto db = sql::open(url_, options);
  if (!db) {
    ADD_FAILURE() << "open " << redactUrl(url_) << ": " << db.error().message;
    return nullptr;
  }
  return std::move(db).value();
}

}  // namespace hub::sql::testing
