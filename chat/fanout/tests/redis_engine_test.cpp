// chat/fanout/tests/redis_engine_test.cpp
//
// Runs the engine contract against the Redis engine (nodes of one cluster are engines on this
// run's Redis), plus what only Redis has: the server dying and coming back empty, with the
// nodes reconnecting, resubscribing, reporting their state and keeping ids increasing.
#include <future>
#include <thread>

#include "chat/fanout/redis_engine.h"
#include "chat/fanout/tests/engine_contract.h"
#include "tests/support/fixtures.h"

namespace hub::chat::fanout::test {
namespace {

using namespace std::chrono_literals;

bus::Options fastBus() {
  bus::Options o;
  o.pingInterval = 100ms;
  o.pingTimeout = 500ms;
  o.connectTimeout = 2000ms;
  o.reconnectMin = 20ms;
  o.reconnectMax = 200ms;
  return o;
}

class RedisCluster final : public EngineCluster {
 public:
  RedisCluster(std::string url, const EngineOptions& options) : url_(std::move(url)), options_(options) {}
  std::unique_ptr<Engine> node() override { return std::make_unique<RedisEngine>(url_, options_, fastBus()); }

 private:
  std::string url_;
  EngineOptions options_;
};

INSTANTIATE_TEST_SUITE_P(Redis, EngineContract,
                         ::testing::Values(ClusterFactory{
                             "redis",
                             [](const EngineOptions& o) -> std::unique_ptr<EngineCluster> {
                               return std::make_unique<RedisCluster>(hub::test::redisUrl(), o);
                             }}),
                         clusterName);

bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A started node that records frames, states and resubscriptions.
struct Probe {
  explicit Probe(const std::string& url) : engine(url, EngineOptions{}, fastBus()) {
    Engine::Handlers h;
    h.onFrame = [this](const std::string&, std::uint64_t id, const Frame&) {
      std::lock_guard lock(mu);
      ids.push_back(id);
    };
    h.onState = [this](EngineState s) {
      std::lock_guard lock(mu);
      states.push_back(s);
    };
    h.onResubscribed = [this] { ++resubscribed; };
    EXPECT_TRUE(engine.start(std::move(h)).ok());
  }
  Status subscribe(const std::string& room) {
    std::promise<Status> p;
    engine.subscribe(room, [&p](Status s) { p.set_value(std::move(s)); });
    return p.get_future().get();
  }
  Result<Published> publish(const std::string& room) {
    std::promise<Result<Published>> p;
    engine.publishMessage(room, MessageTemplate{"{\"id\":", "}"},
                          [&p](Result<Published> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  Result<History> history(const std::string& room, std::uint64_t since) {
    std::promise<Result<History>> p;
    engine.history(room, since, [&p](Result<History> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  std::vector<std::uint64_t> seen() {
    std::lock_guard lock(mu);
    return ids;
  }

  RedisEngine engine;
  std::mutex mu;
  std::vector<std::uint64_t> ids;
  std::vector<EngineState> states;
  std::atomic<int> resubscribed{0};
};

TEST(RedisEngine, ResubscribesAfterARestartAndKeepsIdsIncreasingWhenRedisLostItsData) {
  hub::test::RedisServer server;
  Probe a(server.url()), b(server.url());
  ASSERT_EQ(a.engine.state(), EngineState::Connected);
  ASSERT_TRUE(a.subscribe("gala").ok());
  ASSERT_TRUE(b.subscribe("gala").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.publish("gala").ok());
  ASSERT_TRUE(waitUntil([&] { return a.seen().size() == 3 && b.seen().size() == 3; }));

  server.stop();
  ASSERT_TRUE(waitUntil([&] { return a.engine.state() == EngineState::Reconnecting; }, 3s));
  auto down = a.publish("gala");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "chat.engine_unavailable");

  server.start();  // empty: no persistence
  ASSERT_TRUE(waitUntil([&] { return a.resubscribed.load() == 1 && b.resubscribed.load() == 1; }));
  EXPECT_EQ(a.engine.state(), EngineState::Connected);
  {
    std::lock_guard lock(a.mu);
    EXPECT_EQ(a.states, (std::vector<EngineState>{EngineState::Connected, EngineState::Reconnecting,
                                                  EngineState::Connected}));
  }
  // b saw ids 1..3: the room's id was raised to 3, so nothing was lost and ids go on from 4.
  auto h = b.history("gala", 3);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->lastId, 3u);
  EXPECT_TRUE(h->recovered);
  auto next = b.publish("gala");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->id, 4u);
  ASSERT_TRUE(waitUntil([&] { return a.seen().size() == 4 && b.seen().size() == 4; }))
      << ::testing::PrintToString(a.seen()) << " " << ::testing::PrintToString(b.seen());
  EXPECT_EQ(a.seen(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(b.seen(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  auto older = b.history("gala", 1);  // 2 and 3 went down with Redis
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE(older->recovered);
}

TEST(RedisEngine, StartsWhileRedisIsDownAndSubscribesOnceItAppears) {
  hub::test::RedisServer server;
  server.stop();
  bus::Options quick = fastBus();
  quick.connectTimeout = 200ms;
  RedisEngine engine(server.url(), EngineOptions{}, quick);
  std::atomic<int> states{0};
  Engine::Handlers h;
  h.onState = [&](EngineState) { ++states; };
  ASSERT_TRUE(engine.start(std::move(h)).ok());
  EXPECT_EQ(engine.state(), EngineState::Reconnecting);
  std::promise<Status> subscribed;
  engine.subscribe("late", [&](Status s) { subscribed.set_value(std::move(s)); });
  auto f = subscribed.get_future();
  EXPECT_EQ(f.wait_for(300ms), std::future_status::timeout) << "confirmed without a server";
  server.start();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get().ok());
  ASSERT_TRUE(waitUntil([&] { return engine.state() == EngineState::Connected; }));
}

TEST(RedisEngine, RefusesAUrlThatIsNotRedis) {
  RedisEngine engine("memory://", EngineOptions{});
  auto st = engine.start({});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "chat.engine_start");
  std::promise<Result<Published>> p;
  engine.publishMessage("r", MessageTemplate{"{\"id\":", "}"}, [&p](Result<Published> r) { p.set_value(r); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "chat.engine_closed");
}

}  // namespace
}  // namespace hub::chat::fanout::test
