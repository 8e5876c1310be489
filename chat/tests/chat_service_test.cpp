// chat/tests/chat_service_test.cpp
//
// The chat service inside a real Context (SQLite in a temp dir, memory bus, HTTP server on a
// free loopback port): stream events on the bus create and delete rooms, rooms written by
// another node arrive through the change feed, and a bus URL without an engine is an error.
#include "chat/chat_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/bus/bus.h"
#include "core/http/server.h"
#include "core/loop/worker_pool.h"
#include "core/service/bus_streams.h"
#include "core/sql/change_feed.h"
#include "core/sql/change_watcher.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "tests/support/fixtures.h"

namespace hub::chat {
namespace {

using namespace std::chrono_literals;

class ChatServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.http.publicUrl = "http://127.0.0.1";
    auto db = sql::open("sqlite://" + dir_.path() + "/hub.db");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto all = sql::coreMigrations();
    ChatService chat;  // its migrations: rooms, moderation and the word lists
    auto mine = chat.migrations();
    all.insert(all.end(), mine.begin(), mine.end());
    ASSERT_TRUE(sql::migrate(*db_, all));
    auto bus = bus::open("memory://");
    ASSERT_TRUE(bus);
    bus_ = std::move(*bus);
    streams_ = std::make_unique<service::BusStreams>(*bus_);
    changes_ = std::make_unique<sql::ChangeWatcher>(*db_, 50ms);
    ASSERT_TRUE(changes_->start());
    http::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    server_ = std::make_unique<http::Server>(o, metrics_);
    context_ = std::make_unique<service::Context>(
        service::Context{config_, *server_, *db_, *bus_, workers_, metrics_, *changes_,
                         SystemClock::instance(), secret_, readiness_, *streams_});
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (changes_) changes_->stop();
    workers_.shutdown();  // queued reloads still use the service
    service_.stop();
  }

  bool eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 200; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  test::TempDir dir_;
  config::Config config_;
  std::string secret_ = "service-test-secret-123";
  metrics::Registry metrics_;
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  loop::WorkerPool workers_{loop::WorkerPoolOptions{}};
  std::unique_ptr<sql::ChangeWatcher> changes_;
  std::unique_ptr<http::Server> server_;
  service::Readiness readiness_;
  std::unique_ptr<service::BusStreams> streams_;
  std::unique_ptr<service::Context> context_;
  ChatService service_;
};

TEST_F(ChatServiceTest, StreamEventsOnTheBusCreateAndDeleteRooms) {
  ASSERT_TRUE(service_.start(*context_));
  ASSERT_TRUE(server_->start());
  ASSERT_TRUE(bus_->publish("media.streams", R"({"event":"created","name":"gala"})"));
  ASSERT_TRUE(eventually([&] { return service_.store().find("gala").has_value(); }));
  EXPECT_EQ(service_.store().find("gala")->origin, "stream");
  // Created twice (a media restart): still one room, no error.
  ASSERT_TRUE(bus_->publish("media.streams", R"({"event":"created","name":"gala"})"));
  ASSERT_TRUE(bus_->publish("media.streams", "not json"));
  ASSERT_TRUE(bus_->publish("media.streams", R"({"event":"deleted","name":"gala"})"));
  EXPECT_TRUE(eventually([&] { return !service_.store().find("gala").has_value(); }));
  EXPECT_EQ(service_.store().list().size(), 0u);
}

TEST_F(ChatServiceTest, RoomsWrittenByAnotherNodeAppearThroughTheChangeFeed) {
  ASSERT_TRUE(service_.start(*context_));
  // Another node (same database) creates a room: this node sees it within a poll.
  room::RoomStore other(*db_, SystemClock::instance());
  ASSERT_TRUE(other.create("elsewhere", "", "api"));
  EXPECT_TRUE(eventually([&] { return service_.store().find("elsewhere").has_value(); }));
  ASSERT_TRUE(other.setBan("elsewhere", 42, true));
  EXPECT_TRUE(eventually([&] { return service_.store().banned("elsewhere", 42); }));
}

TEST(OpenEngine, PicksTheEngineByBusUrlAndRefusesOthers) {
  auto memory = openEngine("memory://", fanout::EngineOptions{}, SystemClock::instance());
  ASSERT_TRUE(memory);
  EXPECT_EQ((*memory)->name(), "memory");
  auto other = openEngine("nats://127.0.0.1:4222", fanout::EngineOptions{}, SystemClock::instance());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "chat.engine");
}

}  // namespace
}  // namespace hub::chat
