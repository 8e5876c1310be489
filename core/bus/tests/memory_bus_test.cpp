// core/bus/tests/memory_bus_test.cpp
//
// The contract suite on the memory engine, plus what only it can show cheaply: the bounded
// queue, metrics, and open()'s URL handling.
#include <atomic>
#include <future>

#include "core/bus/tests/bus_contract.h"
#include "core/bus/tests/bus_test_util.h"
#include "core/metrics/registry.h"

namespace hub::bus::test {

INSTANTIATE_TEST_SUITE_P(Memory, BusContract,
                         ::testing::Values(Engine{"memory", [] { return std::string("memory://"); }}),
                         engineName);

TEST(MemoryBus, IsTheDefaultEngine) {
  for (const char* url : {"", "memory", "memory://"}) {
    auto bus = open(url);
    ASSERT_TRUE(bus) << url;
    EXPECT_EQ((*bus)->engine(), "memory");
  }
}

TEST(BusOpen, RefusesUrlsItDoesNotUnderstand) {
  for (const char* url : {"http://x", "redis://h:0", "redis://h:65536", "redis://h:63x79",
                          "redis://h:6379/db", "redis://user:pw@h:6379", "redis://[::1"}) {
    auto bus = open(url);
    ASSERT_FALSE(bus) << url;
    EXPECT_EQ(bus.error().code, "bus.bad_url") << url;
  }
}

TEST(BusOpen, RefusesNonsenseTimings) {
  Options o;
  o.reconnectMax = std::chrono::milliseconds(1);
  o.reconnectMin = std::chrono::milliseconds(10);
  auto bus = open("redis://127.0.0.1:1", o);
  ASSERT_FALSE(bus);
  EXPECT_EQ(bus.error().code, "bus.bad_options");
}

TEST(MemoryBus, RefusesToQueueWithoutBound) {
  Options o;
  o.maxPending = 8;
  auto bus = open("memory://", o);
  ASSERT_TRUE(bus);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> calls{0};
  auto sub = (*bus)->subscribe("c", [&](std::string_view, std::string_view) {
    ++calls;
    released.wait();  // hold the bus thread so the queue fills up
  });
  ASSERT_TRUE((*bus)->publish("c", "first"));
  ASSERT_TRUE(waitUntil([&] { return calls.load() == 1; }));
  Status last;
  int accepted = 0;
  for (int i = 0; i < 100 && last.ok(); ++i) {
    last = (*bus)->publish("c", "more");
    if (last.ok()) ++accepted;
  }
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, "bus.overloaded");
  EXPECT_LE(accepted, 8);
  release.set_value();
  EXPECT_TRUE(waitUntil([&] { return calls.load() == 1 + accepted; }));
  EXPECT_TRUE(waitUntil([&] { return (*bus)->publish("c", "again").ok(); }));
}

TEST(MemoryBus, CountsIntoTheRegistry) {
  metrics::Registry registry;
  Options o;
  o.metrics = &registry;
  auto bus = open("memory://", o);
  ASSERT_TRUE(bus);
  Collector got;
  auto sub = (*bus)->subscribe("c", got.handler());
  ASSERT_TRUE((*bus)->publish("c", "x"));
  ASSERT_TRUE((*bus)->publish("nobody-listens", "y"));
  ASSERT_TRUE(got.waitFor(1));
  const metrics::Labels labels{{"engine", "memory"}};
  EXPECT_TRUE(
      waitUntil([&] { return registry.counter("hub_bus_published_total", "", labels).value() == 2; }));
  EXPECT_EQ(registry.counter("hub_bus_received_total", "", labels).value(), 1);
  EXPECT_EQ(registry.gauge("hub_bus_up", "", labels).value(), 1);
}

TEST(MemoryBus, DeliversWhatWasQueuedBeforeItIsDestroyed) {
  Collector got;
  {
    auto bus = open("memory://");
    ASSERT_TRUE(bus);
    auto sub = (*bus)->subscribe("c", got.handler());
    for (int i = 0; i < 100; ++i) ASSERT_TRUE((*bus)->publish("c", std::to_string(i)));
    bus->reset();
  }
  EXPECT_EQ(got.size(), 100u);
}

}  // namespace hub::bus::test
