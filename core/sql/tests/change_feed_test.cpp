// core/sql/tests/change_feed_test.cpp
//
// bumpChange() and ChangeWatcher on both backends: a bump through one Database handle is seen
// by a watcher on another within a second, as an admin CLI's write must be.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/sql/change_feed.h"
#include "core/sql/change_watcher.h"
#include "core/sql/errors.h"
#include "core/sql/tests/backend_fixture.h"

namespace hub::sql::testing {
namespace {

using namespace std::chrono_literals;

class SqlChangeFeed : public SqlContract {
 protected:
  void SetUp() override {
    SqlContract::SetUp();
    ASSERT_TRUE(migrate(*db_, coreMigrations()));
  }
  std::int64_t version(const std::string& topic) {
    auto rows = db_->query("SELECT version FROM hub_changes WHERE topic = ?", {topic});
    EXPECT_TRUE(rows);
    return rows && !rows->empty() ? (*rows)[0].getInt("version") : 0;
  }
};

TEST_P(SqlChangeFeed, BumpCreatesThenIncrements) {
  ASSERT_TRUE(bumpChange(*db_, "media.streams"));
  EXPECT_EQ(version("media.streams"), 1);
  ASSERT_TRUE(bumpChange(*db_, "media.streams"));
  ASSERT_TRUE(bumpChange(*db_, "cms.accounts"));
  EXPECT_EQ(version("media.streams"), 2);
  EXPECT_EQ(version("cms.accounts"), 1);
  EXPECT_FALSE(bumpChange(*db_, ""));
  EXPECT_FALSE(bumpChange(*db_, std::string(65, 'x')));
}

TEST_P(SqlChangeFeed, BumpFollowsItsTransaction) {
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(bumpChange(*tx, "chat.rooms"));
  }  // rolled back
  EXPECT_EQ(version("chat.rooms"), 0);
}

TEST_P(SqlChangeFeed, WatcherSeesABumpFromAnotherHandleWithinASecond) {
  ASSERT_TRUE(bumpChange(*db_, "media.streams"));  // before start: baseline, no callback
  ChangeWatcher watcher(*db_);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::int64_t>> seen;
  int unrelated = 0;
  watcher.onChange("media.streams", [&](std::string_view topic, std::int64_t v) {
    std::lock_guard lock(mu);
    seen.emplace_back(std::string(topic), v);
    cv.notify_all();
  });
  watcher.onChange("cms.accounts", [&](std::string_view, std::int64_t) {
    std::lock_guard lock(mu);
    ++unrelated;
  });
  ASSERT_TRUE(watcher.start());

  auto cli = testDb_->open();  // the admin CLI's own handle
  ASSERT_NE(cli, nullptr);
  auto bumped = std::chrono::steady_clock::now();
  ASSERT_TRUE(bumpChange(*cli, "media.streams"));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_until(lock, bumped + 1s, [&] { return !seen.empty(); }));
    EXPECT_EQ(seen[0], (std::pair<std::string, std::int64_t>{"media.streams", 2}));
    EXPECT_EQ(unrelated, 0);
  }
  watcher.stop();
}

TEST_P(SqlChangeFeed, StopJoinsPromptlyEvenWithALongInterval) {
  ChangeWatcher watcher(*db_, 30s);
  ASSERT_TRUE(watcher.start());
  auto t0 = std::chrono::steady_clock::now();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  watcher.stop();  // idempotent
}

TEST_P(SqlChangeFeed, WildcardCallbackSeesNewTopics) {
  ChangeWatcher watcher(*db_, 10s);  // polled by hand below
  ASSERT_TRUE(watcher.pollOnce());
  std::vector<std::string> topics;
  watcher.onChange("", [&](std::string_view topic, std::int64_t) { topics.emplace_back(topic); });
  ASSERT_TRUE(bumpChange(*db_, "a.one"));
  ASSERT_TRUE(bumpChange(*db_, "b.two"));
  ASSERT_TRUE(watcher.pollOnce());
  ASSERT_TRUE(watcher.pollOnce());  // nothing moved: no repeat
  EXPECT_EQ(topics, (std::vector<std::string>{"a.one", "b.two"}));
}

TEST(SqlChangeWatcher, StartFailsWithoutTheTable) {
  TestDatabase testDb("sqlite");
  auto db = testDb.open();
  ASSERT_NE(db, nullptr);
  ChangeWatcher watcher(*db);
  EXPECT_FALSE(watcher.start());
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlChangeFeed, ::testing::Values("sqlite", "mysql"), backendName);

}  // namespace
}  // namespace hub::sql::testing
