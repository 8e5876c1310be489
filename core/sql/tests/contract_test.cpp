// core/sql/tests/contract_test.cpp
//
// The behaviour both backends promise, run on each (SqlContract), plus the MySQL-only cases:
// reconnecting after the server killed our session, and an unreachable server at open.
#include <atomic>
#include <optional>
#include <thread>

#include "core/metrics/registry.h"
#include "core/sql/errors.h"
#include "core/sql/tests/backend_fixture.h"
#include "core/sql/thread_scope.h"

namespace hub::sql::testing {
namespace {

TEST_P(SqlContract, ReportsBackendAndPings) {
  EXPECT_EQ(db_->backend(), GetParam());
  EXPECT_TRUE(db_->ping());
}

TEST_P(SqlContract, BindsAndReadsEveryValueKind) {
  ASSERT_TRUE(
      db_->exec("CREATE TABLE t (id " + autoId() + ", i BIGINT, d DOUBLE, s TEXT, b BLOB, n BIGINT NULL)"));
  const std::string chinese = "直播间：你好，世界 🎉";
  const Blob blob{std::string("\x00\x01\xff\xfe;'\"", 7)};
  auto ins = db_->exec("INSERT INTO t (i, d, s, b, n) VALUES (?, ?, ?, ?, ?)",
                       {std::int64_t{-9'007'199'254'740'993}, 2.5, chinese, blob, nullptr});
  ASSERT_TRUE(ins) << ins.error().message;
  EXPECT_EQ(ins->affected, 1);

  auto rows = db_->query("SELECT i, d, s, b, n FROM t WHERE s = ?", {chinese});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = (*rows)[0];
  EXPECT_EQ(row.getInt("i"), -9'007'199'254'740'993);
  EXPECT_EQ(row.get("i").kind(), Value::Kind::Int);
  EXPECT_DOUBLE_EQ(row.getDouble("d"), 2.5);
  EXPECT_EQ(row.get("d").kind(), Value::Kind::Double);
  EXPECT_EQ(row.getString("s"), chinese);
  EXPECT_EQ(row.get("s").kind(), Value::Kind::Text);
  EXPECT_EQ(row.getBlob("b"), blob.bytes);
  EXPECT_EQ(row.get("b").kind(), Value::Kind::Blob);
  EXPECT_TRUE(row.isNull("n"));
  EXPECT_EQ(*rows->columns, (Columns{"i", "d", "s", "b", "n"}));
}

TEST_P(SqlContract, ReusesPreparedStatementsWithNewParameters) {
  ASSERT_TRUE(db_->exec("CREATE TABLE kv (k VARCHAR(64) PRIMARY KEY, v BIGINT)"));
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(db_->exec("INSERT INTO kv (k, v) VALUES (?, ?)", {"key" + std::to_string(i), i}));
  auto rows = db_->query("SELECT COUNT(*) AS n, SUM(v) AS total FROM kv WHERE v >= ?", {10});
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].getInt("n"), 10);
  EXPECT_EQ((*rows)[0].getInt("total"), 145);  // an integer on SQLite, a DECIMAL on MySQL
  auto empty = db_->query("SELECT k FROM kv WHERE v > ?", {100});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(*empty->columns, Columns{"k"});
}

TEST_P(SqlContract, InsertReturnsTheNewIdExecOnlyCountsRows) {
  ASSERT_TRUE(db_->exec("CREATE TABLE u (id " + autoId() + ", name VARCHAR(64))"));
  auto a = db_->insert("INSERT INTO u (name) VALUES (?)", {"a"});
  auto b = db_->insert("INSERT INTO u (name) VALUES (?)", {"b"});
  ASSERT_TRUE(a && b);
  EXPECT_GT(a->lastInsertId, 0);
  EXPECT_EQ(b->lastInsertId, a->lastInsertId + 1);
  // exec() does not ask for the id (on MySQL that is a round trip of its own).
  auto c = db_->exec("INSERT INTO u (name) VALUES (?), (?)", {"c", "d"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->affected, 2);
  EXPECT_EQ(c->lastInsertId, 0);
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx);
    auto e = tx->insert("INSERT INTO u (name) VALUES (?)", {"e"});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->lastInsertId, b->lastInsertId + 3);
    ASSERT_TRUE(tx->commit());
  }
  auto rows = db_->query("SELECT id FROM u WHERE name = ?", {"b"});
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].getInt("id"), b->lastInsertId);
  auto upd = db_->exec("UPDATE u SET name = ? WHERE id >= ?", {"b", a->lastInsertId});
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->affected, 5);  // matched rows, even the one already named "b"
  EXPECT_EQ(upd->lastInsertId, 0);
  auto ddl = db_->exec("CREATE INDEX u_name ON u (name)");
  ASSERT_TRUE(ddl);
  EXPECT_EQ(ddl->affected, 0);
}

TEST_P(SqlContract, UniqueViolationIsAConstraintError) {
  ASSERT_TRUE(db_->exec("CREATE TABLE v (email VARCHAR(128) NOT NULL UNIQUE)"));
  ASSERT_TRUE(db_->exec("INSERT INTO v (email) VALUES (?)", {"a@example.com"}));
  auto dup = db_->exec("INSERT INTO v (email) VALUES (?)", {"a@example.com"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, errc::kConstraint) << dup.error().message;
  auto notNull = db_->exec("INSERT INTO v (email) VALUES (?)", {nullptr});
  ASSERT_FALSE(notNull);
  EXPECT_EQ(notNull.error().code, errc::kConstraint) << notNull.error().message;
  EXPECT_TRUE(db_->ping());  // the connection is still good
}

TEST_P(SqlContract, BadStatementIsAQueryError) {
  auto r = db_->query("SELEKT 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::kQuery);
  auto missing = db_->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::kQuery);
}

TEST_P(SqlContract, TransactionCommitKeepsAndDestructionRollsBack) {
  ASSERT_TRUE(db_->exec("CREATE TABLE w (x BIGINT)"));
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx) << tx.error().message;
    ASSERT_TRUE(tx->exec("INSERT INTO w (x) VALUES (?)", {1}));
    auto inside = tx->query("SELECT COUNT(*) AS n FROM w");
    ASSERT_TRUE(inside);
    EXPECT_EQ((*inside)[0].getInt("n"), 1);
    ASSERT_TRUE(tx->commit());
    auto after = tx->exec("INSERT INTO w (x) VALUES (?)", {9});
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, errc::kTransaction);
  }
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->exec("INSERT INTO w (x) VALUES (?)", {2}));
  }  // destroyed without commit
  Status failed = db_->transaction([](Transaction& tx) -> Status {
    if (auto r = tx.exec("INSERT INTO w (x) VALUES (?)", {3}); !r) return r.error();
    return makeError("test.abort", "changed my mind");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "test.abort");
  ASSERT_TRUE(db_->transaction([](Transaction& tx) -> Status {
    if (auto r = tx.exec("INSERT INTO w (x) VALUES (?)", {4}); !r) return r.error();
    return {};
  }));
  auto rows = db_->query("SELECT x FROM w ORDER BY x");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].getInt("x"), 1);
  EXPECT_EQ((*rows)[1].getInt("x"), 4);
}

TEST_P(SqlContract, ServesEightThreadsAtOnce) {
  ASSERT_TRUE(db_->exec("CREATE TABLE c (id " + autoId() + ", worker BIGINT, n BIGINT)"));
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      // Half the threads declare themselves like the worker pool does; the others rely on
      // the automatic per-thread driver set-up.
      std::optional<ThreadScope> scope;
      if (w % 2 == 0) scope.emplace();
      for (int i = 0; i < kEach; ++i) {
        Status st;
        if (i % 5 == 0) {
          st = db_->transaction([&](Transaction& tx) -> Status {
            if (auto r = tx.exec("INSERT INTO c (worker, n) VALUES (?, ?)", {w, i}); !r) return r.error();
            return {};
          });
        } else if (auto r = db_->exec("INSERT INTO c (worker, n) VALUES (?, ?)", {w, i}); !r) {
          st = r.error();
        }
        auto q = db_->query("SELECT COUNT(*) AS n FROM c WHERE worker = ?", {w});
        if (!st || !q || (*q)[0].getInt("n") != i + 1) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto total = db_->query("SELECT COUNT(*) AS n FROM c");
  ASSERT_TRUE(total);
  EXPECT_EQ((*total)[0].getInt("n"), kThreads * kEach);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlContract, ::testing::Values("sqlite", "mysql"), backendName);

TEST(SqlMysql, ReconnectsAfterTheServerKillsTheConnection) {
  TestDatabase testDb("mysql");
  Options one;
  one.poolSize = 1;  // so the next call must use the killed session
  auto db = testDb.open(one);
  auto admin = testDb.open();
  ASSERT_TRUE(db && admin);
  ASSERT_TRUE(db->exec("CREATE TABLE k (x BIGINT)"));
  const char* idSql = "SELECT CONNECTION_ID() AS id";  // cached as a prepared statement
  auto before = db->query(idSql);
  ASSERT_TRUE(before);
  std::int64_t id = (*before)[0].getInt("id");

  ASSERT_TRUE(admin->exec("KILL CONNECTION " + std::to_string(id)));
  auto after = db->query(idSql);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_NE((*after)[0].getInt("id"), id);

  // Writes still work on the new session, through statements prepared again.
  auto again = db->query(idSql);
  ASSERT_TRUE(again);
  ASSERT_TRUE(admin->exec("KILL CONNECTION " + std::to_string((*again)[0].getInt("id"))));
  EXPECT_TRUE(db->ping());
  ASSERT_TRUE(db->exec("INSERT INTO k (x) VALUES (?)", {1}));
}

// A prepared write on a session killed while idle is not repeated blindly (the driver cannot
// tell whether it ran); it reports "sql.unavailable" and the next call gets a fresh
// connection. A statement that fails while being prepared cannot have run: that one is
// retried. Pinging connections idle longer than validateAfterIdle avoids the failure.
TEST(SqlMysql, WriteAfterAKillFailsOnceUnlessValidatedOnBorrow) {
  TestDatabase testDb("mysql");
  auto admin = testDb.open();
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(admin->exec("CREATE TABLE k (x BIGINT)"));
  auto killOwnSession = [&](Database& db) {
    auto id = db.query("SELECT CONNECTION_ID() AS id");
    ASSERT_TRUE(id);
    ASSERT_TRUE(admin->exec("KILL CONNECTION " + std::to_string((*id)[0].getInt("id"))));
  };

  Options trusting;
  trusting.poolSize = 1;
  trusting.validateAfterIdle = std::chrono::hours(1);
  auto db = testDb.open(trusting);
  ASSERT_NE(db, nullptr);
  killOwnSession(*db);
  ASSERT_TRUE(db->exec("INSERT INTO k (x) VALUES (?)", {1}));  // failed in prepare: retried
  killOwnSession(*db);
  auto lostWrite = db->exec("INSERT INTO k (x) VALUES (?)", {-1});  // prepared already
  ASSERT_FALSE(lostWrite);
  EXPECT_EQ(lostWrite.error().code, errc::kUnavailable);
  ASSERT_TRUE(db->exec("INSERT INTO k (x) VALUES (?)", {2}));

  Options careful;
  careful.poolSize = 1;
  careful.validateAfterIdle = std::chrono::milliseconds(0);
  auto checked = testDb.open(careful);
  ASSERT_NE(checked, nullptr);
  killOwnSession(*checked);
  ASSERT_TRUE(checked->exec("INSERT INTO k (x) VALUES (?)", {3}));
  killOwnSession(*checked);
  ASSERT_TRUE(checked->exec("INSERT INTO k (x) VALUES (?)", {4}));

  auto rows = admin->query("SELECT x FROM k ORDER BY x");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].getInt("x"), 1);
  EXPECT_EQ((*rows)[3].getInt("x"), 4);
}

TEST(SqlMysql, UnreachableServerFailsAtOpenWithoutThePassword) {
  int port = hub::test::freePort();
  std::string url = "mysql://hub:s3cr3t-pw@127.0.0.1:" + std::to_string(port) + "/hub";
  Options fast;
  fast.connectTimeout = std::chrono::milliseconds(1000);
  auto db = open(url, fast);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, errc::kUnavailable);
  EXPECT_NE(db.error().message.find("127.0.0.1"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find(std::to_string(port)), std::string::npos);
  EXPECT_EQ(db.error().message.find("s3cr3t-pw"), std::string::npos) << db.error().message;
}

TEST(SqlSqlite, UnopenablePathIsUnavailable) {
  auto db = open("sqlite:///nonexistent-dir-for-hub-tests/x/y.db");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, errc::kUnavailable);
  EXPECT_NE(db.error().message.find("/nonexistent-dir-for-hub-tests/x/y.db"), std::string::npos);
}

TEST(SqlSqlite, CountsLatencyAndErrorsWhenGivenARegistry) {
  hub::metrics::Registry registry;
  Options withMetrics;
  withMetrics.metrics = &registry;
  auto db = open("sqlite://:memory:", withMetrics);
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->query("SELECT 1"));
  ASSERT_FALSE((*db)->query("SELECT * FROM missing"));
  std::string text = registry.render();
  EXPECT_NE(text.find("hub_sql_query_duration_seconds_count{backend=\"sqlite\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("hub_sql_errors_total{backend=\"sqlite\",code=\"sql.query\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("hub_sql_connections_in_use{backend=\"sqlite\"} 0"), std::string::npos);
}

TEST(SqlSqlite, InMemoryDatabaseKeepsOneConnection) {
  auto db = open("sqlite://:memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->exec("CREATE TABLE m (x BIGINT)"));
  ASSERT_TRUE((*db)->exec("INSERT INTO m (x) VALUES (?)", {1}));
  auto rows = (*db)->query("SELECT x FROM m");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 1u);
}

}  // namespace
}  // namespace hub::sql::testing
