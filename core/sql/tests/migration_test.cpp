// core/sql/tests/migration_test.cpp
//
// migrate() on both backends: order, idempotence, refusing a newer database, multi-statement
// scripts (quotes, triggers) and what a failing migration leaves behind.
#include "core/sql/migration.h"
#include "core/sql/errors.h"
#include "core/sql/tests/backend_fixture.h"

namespace hub::sql::testing {
namespace {

std::vector<Migration> shopV(int upTo) {
  std::vector<Migration> all = {
      Migration::portable("shop", 1, "create items",
                          "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL)"),
      Migration::portable("shop", 2, "seed items and add prices",
                          "INSERT INTO items (id, name) VALUES (1, 'semi;colon');\n"
                          "-- a comment; with a semicolon\n"
                          "ALTER TABLE items ADD COLUMN price BIGINT NOT NULL DEFAULT 0;\n"
                          "UPDATE items SET price = 100 WHERE id = 1;"),
      Migration::portable("shop", 3, "create orders",
                          "CREATE TABLE orders (id BIGINT PRIMARY KEY, item BIGINT NOT NULL)"),
  };
  all.resize(static_cast<std::size_t>(upTo));
  return all;
}

std::vector<std::pair<std::string, int>> recorded(Database& db) {
  std::vector<std::pair<std::string, int>> out;
  auto applied = appliedMigrations(db);
  EXPECT_TRUE(applied);
  if (applied)
    for (const auto& a : *applied) out.emplace_back(a.component, a.version);
  return out;
}

using SqlMigrate = SqlContract;

TEST_P(SqlMigrate, AppliesInOrderAndRecordsEach) {
  ASSERT_TRUE(migrate(*db_, shopV(2)));
  auto rows = db_->query("SELECT name, price FROM items");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].getString("name"), "semi;colon");
  EXPECT_EQ((*rows)[0].getInt("price"), 100);
  EXPECT_EQ(recorded(*db_), (std::vector<std::pair<std::string, int>>{{"shop", 1}, {"shop", 2}}));
  auto applied = appliedMigrations(*db_);
  ASSERT_TRUE(applied);
  EXPECT_EQ((*applied)[1].name, "seed items and add prices");
  EXPECT_EQ((*applied)[1].appliedAt.size(), 20u);  // 2026-01-02T03:04:05Z
}

TEST_P(SqlMigrate, IsIdempotentAndAppliesOnlyWhatIsMissing) {
  ASSERT_TRUE(migrate(*db_, shopV(1)));
  ASSERT_TRUE(migrate(*db_, shopV(3)));
  Status again = migrate(*db_, shopV(3));  // would fail if anything ran twice
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(recorded(*db_).size(), 3u);
  auto items = db_->query("SELECT COUNT(*) AS n FROM items");
  ASSERT_TRUE(items);
  EXPECT_EQ((*items)[0].getInt("n"), 1);
}

TEST_P(SqlMigrate, RefusesADatabaseNewerThanTheCode) {
  ASSERT_TRUE(migrate(*db_, shopV(3)));
  std::vector<Migration> older = shopV(2);
  older.push_back(Migration::portable("other", 1, "unrelated", "CREATE TABLE other (x BIGINT)"));
  Status st = migrate(*db_, older);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, errc::kMigrationNewer);
  EXPECT_NE(st.error().message.find("shop schema version 3"), std::string::npos) << st.error().message;
  EXPECT_FALSE(db_->query("SELECT * FROM other"));  // refused before changing anything
}

TEST_P(SqlMigrate, UsesEachBackendsOwnScriptIncludingTriggers) {
  Migration m;
  m.component = "count";
  m.version = 1;
  m.name = "counter trigger";
  m.sqlite =
      "CREATE TABLE hits (x BIGINT); CREATE TABLE total (n BIGINT); INSERT INTO total VALUES (0);"
      "CREATE TRIGGER hits_ai AFTER INSERT ON hits BEGIN UPDATE total SET n = n + 1; END;";
  m.mysql =
      "CREATE TABLE hits (x BIGINT); CREATE TABLE total (n BIGINT); INSERT INTO total VALUES (0);"
      "CREATE TRIGGER hits_ai AFTER INSERT ON hits FOR EACH ROW BEGIN UPDATE total SET n = n + 1; END;";
  ASSERT_TRUE(migrate(*db_, {m}));
  ASSERT_TRUE(db_->exec("INSERT INTO hits (x) VALUES (?)", {1}));
  ASSERT_TRUE(db_->exec("INSERT INTO hits (x) VALUES (?)", {2}));
  auto total = db_->query("SELECT n FROM total");
  ASSERT_TRUE(total);
  EXPECT_EQ((*total)[0].getInt("n"), 2);
}

TEST_P(SqlMigrate, AFailingMigrationIsNotRecordedAndSaysWhichStatement) {
  std::vector<Migration> list = shopV(1);
  list.push_back(Migration::portable("shop", 2, "broken",
                                     "INSERT INTO items (id, name) VALUES (7, 'x');"
                                     "INSERT INTO no_such_table VALUES (1)"));
  Status st = migrate(*db_, list);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("shop/2 (broken)"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("statement 2 of 2"), std::string::npos) << st.error().message;
  EXPECT_EQ(recorded(*db_).size(), 1u);
  auto items = db_->query("SELECT COUNT(*) AS n FROM items");  // DML rolled back on both
  ASSERT_TRUE(items);
  EXPECT_EQ((*items)[0].getInt("n"), 0);
}

TEST_P(SqlMigrate, RejectsAListOutOfOrder) {
  std::vector<Migration> list = shopV(2);
  std::swap(list[0], list[1]);
  Status st = migrate(*db_, list);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, errc::kMigration);
  EXPECT_FALSE(db_->query("SELECT * FROM items"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlMigrate, ::testing::Values("sqlite", "mysql"), backendName);

}  // namespace
}  // namespace hub::sql::testing
