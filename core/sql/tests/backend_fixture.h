// core/sql/tests/backend_fixture.h
//
// A fresh, empty database per test on either backend: a file in a TempDir for SQLite, a
// uniquely named schema on the run's MariaDB fixture (dropped afterwards), so these tests can
// run in parallel with every other test executable. SqlContract runs each case on both.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/sql/database.h"
#include "tests/support/fixtures.h"

namespace hub::sql::testing {

class TestDatabase {
 public:
  explicit TestDatabase(std::string backend);  // "sqlite" or "mysql"
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  // Another handle on the same database; fails the test (and returns nullptr) on error.
  std::unique_ptr<Database> open(const Options& options = {}) const;

 private:
  std::string backend_;
  std::unique_ptr<hub::test::TempDir> dir_;
  std::unique_ptr<Database> admin_;  // mysql: creates and drops the schema
  std::string schema_;
  std::string url_;
};

// Names the instantiated cases "Backends/SqlContract.Case/sqlite" and ".../mysql".
inline std::string backendName(const ::testing::TestParamInfo<std::string>& param) { return param.param; }

class SqlContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    testDb_ = std::make_unique<TestDatabase>(GetParam());
    db_ = testDb_->open();
    ASSERT_NE(db_, nullptr);
  }
  void TearDown() override {
    db_.reset();
    testDb_.reset();
  }
  bool mysql() const { return GetParam() == "mysql"; }
  // An auto-increment primary key in the backend's dialect.
  std::string autoId() const {
    return mysql() ? "BIGINT AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  }

  std::unique_ptr<TestDatabase> testDb_;
  std::unique_ptr<Database> db_;
};

}  // namespace hub::sql::testing
