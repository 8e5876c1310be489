// core/bus/tests/redis_bus_test.cpp
//
// The contract suite on the Redis engine, plus what only Redis has: several nodes on one
// server, the server going away and coming back (private redis-servers we stop and start),
// a server that accepts but never answers (the PING watchdog), and command().

#include <future>

#include "core/bus/redis_bus.h"
#include "core/bus/tests/bus_contract.h"
#include "core/bus/tests/bus_test_util.h"
#include "core/metrics/registry.h"
#include "tests/support/fixtures.h"

namespace hub::bus::test {

INSTANTIATE_TEST_SUITE_P(Redis, BusContract,
                         ::testing::Values(Engine{"redis", [] { return hub::test::redisUrl(); }}),
                         engineName);

namespace {

// Short timings so failures show within a couple of seconds.
Options fastOptions(metrics::Registry* registry = nullptr) {
  Options o;
  o.metrics = registry;
  o.pingInterval = 100ms;
  o.pingTimeout = 500ms;
  o.connectTimeout = 500ms;
  o.reconnectMin = 20ms;
  o.reconnectMax = 300ms;
  return o;
}

std::unique_ptr<Bus> mustOpen(const std::string& url, const Options& options = {}) {
  auto bus = open(url, options);
  if (!bus) {
    ADD_FAILURE() << bus.error().message;
    return nullptr;
  }
  return std::move(bus).value();
}

}  // namespace

TEST(RedisBus, TwoNodesSeeEachOthersMessages) {
  auto a = mustOpen(hub::test::redisUrl());
  auto b = mustOpen(hub::test::redisUrl());
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(waitUntil([&] { return a->ready() && b->ready(); }));
  Collector onA, onB;
  const auto ch = uniqueChannel("room");
  auto sa = a->subscribe(ch, onA.handler());
  auto sb = b->subscribe(ch, onB.handler());
  ASSERT_TRUE(waitUntil([&] { return sa.confirmed() && sb.confirmed(); }));
  ASSERT_TRUE(a->publish(ch, "from a"));
  ASSERT_TRUE(onB.waitFor(1));
  ASSERT_TRUE(b->publish(ch, "from b"));
  ASSERT_TRUE(onA.waitFor(2));
  ASSERT_TRUE(onB.waitFor(2));
  const std::vector<std::string> both{"from a", "from b"};
  EXPECT_EQ(onA.payloads(), both);
  EXPECT_EQ(onB.payloads(), both);
}

TEST(RedisBus, SurvivesARedisRestartAndResubscribesByItself) {
  hub::test::RedisServer server;
  metrics::Registry registry;
  auto bus = mustOpen(server.url(), fastOptions(&registry));
  ASSERT_TRUE(bus);
  ASSERT_TRUE(waitUntil([&] { return bus->ready(); }));
  Collector got;
  auto sub = bus->subscribe("room.1", got.handler());
  ASSERT_TRUE(waitUntil([&] { return sub.confirmed(); }));
  ASSERT_TRUE(bus->publish("room.1", "before"));
  ASSERT_TRUE(got.waitFor(1));

  server.stop();
  ASSERT_TRUE(waitUntil([&] { return !bus->ready(); }, 2s)) << "still ready 2 s after Redis died";
  EXPECT_FALSE(sub.confirmed());
  const metrics::Labels labels{{"engine", "redis"}};
  EXPECT_EQ(registry.gauge("hub_bus_up", "", labels).value(), 0);
  int refused = 0;
  for (int i = 0; i < 100'000; ++i) {
    auto st = bus->publish("room.1", "while down");
    if (!st) {
      EXPECT_EQ(st.error().code, "bus.unavailable");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 100'000) << "publish must refuse, not queue, while Redis is down";

  server.start();
  ASSERT_TRUE(waitUntil([&] { return bus->ready(); }, 5s)) << "not ready 5 s after Redis came back";
  ASSERT_TRUE(waitUntil([&] { return sub.confirmed(); }, 5s)) << "channel not subscribed again";
  ASSERT_TRUE(bus->publish("room.1", "after"));
  ASSERT_TRUE(got.waitFor(2));
  EXPECT_EQ(got.payloads(), (std::vector<std::string>{"before", "after"}));
  EXPECT_GE(registry.counter("hub_bus_reconnects_total", "", labels).value(), 1);
  EXPECT_EQ(registry.gauge("hub_bus_up", "", labels).value(), 1);
}

TEST(RedisBus, OpensWhileRedisIsDownAndConnectsWhenItAppears) {
  hub::test::RedisServer server;
  server.stop();  // nothing listens on server.port() now
  auto options = fastOptions();
  // Long on purpose: a refused connect must fail at once, not when this runs out (the stock
  // hiredis libuv adapter loses the poll error and would hang here for 10 s).
  options.connectTimeout = 10s;
  auto bus = mustOpen(server.url(), options);
  ASSERT_TRUE(bus) << "opening must not fail when Redis is down";
  EXPECT_FALSE(bus->ready());
  auto st = bus->publish("c", "x");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "bus.unavailable");
  Collector got;
  auto sub = bus->subscribe("c", got.handler());  // accepted now, subscribed once connected
  std::this_thread::sleep_for(200ms);             // a few failed attempts, on purpose
  EXPECT_FALSE(bus->ready());
  EXPECT_FALSE(sub.confirmed());

  server.start();
  ASSERT_TRUE(waitUntil([&] { return bus->ready() && sub.confirmed(); }, 3s));
  ASSERT_TRUE(bus->publish("c", "hello"));
  ASSERT_TRUE(got.waitFor(1));
}

TEST(RedisBus, DropsAServerThatNeverAnswers) {
  // A listening socket that never accepts: TCP connects (the kernel's backlog), PING goes
  // unanswered. Only the watchdog can notice.
  hub::test::SilentListener silent;
  const int port = silent.port();
  {
    metrics::Registry registry;
    auto bus = mustOpen("redis://127.0.0.1:" + std::to_string(port), fastOptions(&registry));
    ASSERT_TRUE(bus);
    auto& reconnects = registry.counter("hub_bus_reconnects_total", "", {{"engine", "redis"}});
    EXPECT_TRUE(waitUntil([&] { return reconnects.value() >= 2; }, 5s))
        << "the watchdog never dropped a silent server";
    static_cast<void>(bus->publish("c", "x"));  // must not block, whatever it returns
  }
}

TEST(RedisBus, ASlowHandlerIsNotMistakenForADeadServer) {
  metrics::Registry registry;
  auto bus = mustOpen(hub::test::redisUrl(), fastOptions(&registry));
  ASSERT_TRUE(bus);
  ASSERT_TRUE(waitUntil([&] { return bus->ready(); }));
  std::atomic<int> entered{0}, calls{0};
  const auto ch = uniqueChannel("slow");
  auto sub = bus->subscribe(ch, [&](std::string_view, std::string_view) {
    ++entered;
    std::this_thread::sleep_for(1200ms);  // stalls the loop for more than twice pingTimeout
    ++calls;
  });
  ASSERT_TRUE(waitUntil([&] { return sub.confirmed(); }));
  // The second message arrives during the first stall. Right after that stall the watchdog
  // sends its probes (timers run before I/O), then reading the second message stalls the loop
  // again while those probes are outstanding: their replies wait unread in the socket.
  // A second node publishes: this bus's own loop, stalled, could not send "y" before it ends.
  auto other = mustOpen(hub::test::redisUrl());
  ASSERT_TRUE(other);
  ASSERT_TRUE(waitUntil([&] { return other->ready(); }));
  ASSERT_TRUE(other->publish(ch, "x"));
  ASSERT_TRUE(waitUntil([&] { return entered.load() == 1; }));
  ASSERT_TRUE(other->publish(ch, "y"));
  ASSERT_TRUE(waitUntil([&] { return calls.load() == 2; }));
  std::this_thread::sleep_for(300ms);  // a few more ticks after the stall
  EXPECT_EQ(registry.counter("hub_bus_reconnects_total", "", {{"engine", "redis"}}).value(), 0);
  EXPECT_TRUE(bus->ready());
}

TEST(RedisBus, RunsCommandsOnTheCommandConnection) {
  auto opened = open(hub::test::redisUrl());
  ASSERT_TRUE(opened);
  auto* bus = dynamic_cast<RedisBus*>(opened->get());
  ASSERT_NE(bus, nullptr);
  ASSERT_TRUE(waitUntil([&] { return bus->ready(); }));
  auto run = [&](std::vector<std::string> argv) {
    std::promise<Result<RedisReply>> p;
    auto f = p.get_future();
    bus->command(std::move(argv), [&p](Result<RedisReply> r) { p.set_value(std::move(r)); });
    EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
    return f.get();
  };
  const auto key = uniqueChannel("counter");
  auto incr = run({"INCRBY", key, "5"});
  ASSERT_TRUE(incr);
  EXPECT_EQ(incr->type, RedisReply::Type::Integer);
  EXPECT_EQ(incr->integer, 5);
  const std::string binary("v\0\xff", 3);
  ASSERT_TRUE(run({"SET", key + ".b", binary}));
  auto get = run({"GET", key + ".b"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->str, binary);
  auto eval = run({"EVAL", "return {redis.call('INCRBY', KEYS[1], ARGV[1]), 'ok'}", "1", key, "2"});
  ASSERT_TRUE(eval);
  ASSERT_EQ(eval->elements.size(), 2u);
  EXPECT_EQ(eval->elements[0].integer, 7);
  EXPECT_EQ(eval->elements[1].str, "ok");
  auto bad = run({"NOSUCHCOMMAND"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "redis.error");
  ASSERT_TRUE(run({"DEL", key, key + ".b"}));
}

TEST(RedisBus, CommandsUseTheDatabaseInTheUrl) {
  auto inDb3 = open(hub::test::redisUrl() + "/3");
  auto inDb0 = open(hub::test::redisUrl());
  ASSERT_TRUE(inDb3 && inDb0);
  auto* b3 = dynamic_cast<RedisBus*>(inDb3->get());
  auto* b0 = dynamic_cast<RedisBus*>(inDb0->get());
  ASSERT_TRUE(b3 && b0);
  ASSERT_TRUE(waitUntil([&] { return b3->ready() && b0->ready(); }));
  auto run = [](RedisBus& bus, std::vector<std::string> argv) {
    std::promise<Result<RedisReply>> p;
    auto f = p.get_future();
    bus.command(std::move(argv), [&p](Result<RedisReply> r) { p.set_value(std::move(r)); });
    EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
    return f.get();
  };
  const auto key = uniqueChannel("db");
  ASSERT_TRUE(run(*b3, {"SET", key, "three"}));
  auto here = run(*b3, {"GET", key});
  auto there = run(*b0, {"GET", key});
  ASSERT_TRUE(here && there);
  EXPECT_EQ(here->str, "three");
  EXPECT_EQ(there->type, RedisReply::Type::Nil);
  ASSERT_TRUE(run(*b3, {"DEL", key}));
}

TEST(RedisBus, CommandReportsUnavailableWhileDown) {
  hub::test::RedisServer server;
  server.stop();
  auto opened = open(server.url(), fastOptions());
  ASSERT_TRUE(opened);
  auto* bus = dynamic_cast<RedisBus*>(opened->get());
  ASSERT_NE(bus, nullptr);
  std::promise<Result<RedisReply>> p;
  bus->command({"PING"}, [&p](Result<RedisReply> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bus.unavailable");
}

TEST(RedisBus, TellsWhenASubscriptionIsConfirmedAndWhenReadinessChanges) {
  hub::test::RedisServer server;
  auto opened = open(server.url(), fastOptions());
  ASSERT_TRUE(opened);
  auto* bus = dynamic_cast<RedisBus*>(opened->get());
  ASSERT_NE(bus, nullptr);
  std::mutex mu;
  std::vector<bool> readiness;
  bus->watchReady([&](bool up) {
    std::lock_guard lock(mu);
    readiness.push_back(up);
  });
  ASSERT_TRUE(waitUntil([&] {
    std::lock_guard lock(mu);
    return !readiness.empty() && readiness.back();
  }));
  std::atomic<int> confirms{0};
  Collector got;
  auto sub = bus->subscribe("room.c", got.handler(), [&] { ++confirms; });
  ASSERT_TRUE(waitUntil([&] { return confirms.load() == 1; }));
  EXPECT_TRUE(sub.confirmed());

  server.stop();
  ASSERT_TRUE(waitUntil(
      [&] {
        std::lock_guard lock(mu);
        return !readiness.back();
      },
      3s));
  server.start();
  ASSERT_TRUE(waitUntil([&] { return confirms.load() == 2; }, 5s))
      << "no second confirmation after the restart";
  ASSERT_TRUE(waitUntil([&] {
    std::lock_guard lock(mu);
    return readiness.back();
  }));
  {
    std::lock_guard lock(mu);
    for (std::size_t i = 1; i < readiness.size(); ++i)
      EXPECT_NE(readiness[i], readiness[i - 1]) << "repeated state";
  }
  std::promise<void> ran;
  ASSERT_TRUE(bus->post([&] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(5s), std::future_status::ready);
  sub.reset();
  opened->reset();
  EXPECT_EQ(confirms.load(), 2);
}

}  // namespace hub::bus::test
