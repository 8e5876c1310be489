// core/bus/tests/bus_contract_test.cpp
//
// The behaviour both engines promise (see core/bus/bus.h): delivery, per-channel order, fan-out
// to every subscriber, unsubscribe (also from inside the handler and from other threads),
// binary-safe payloads, many channels, handlers that publish.
#include "core/bus/tests/bus_contract.h"

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/bus/tests/bus_test_util.h"

namespace hub::bus::test {

std::unique_ptr<Bus> BusContract::openBus(const Options& options) {
  auto bus = open(GetParam().url(), options);
  if (!bus) {
    ADD_FAILURE() << bus.error().code << ": " << bus.error().message;
    return nullptr;
  }
  auto out = std::move(bus).value();
  EXPECT_TRUE(waitUntil([&] { return out->ready(); })) << "bus never became ready";
  return out;
}

Subscription BusContract::subscribeConfirmed(Bus& bus, const std::string& channel, Handler handler) {
  auto sub = bus.subscribe(channel, std::move(handler));
  EXPECT_TRUE(waitUntil([&] { return sub.confirmed(); })) << "subscription never confirmed: " << channel;
  return sub;
}

TEST_P(BusContract, NamesItsEngineAndIsReady) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  EXPECT_EQ(bus->engine(), GetParam().name);
  EXPECT_TRUE(bus->ready());
}

TEST_P(BusContract, DeliversAPublishedMessage) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  const auto ch = uniqueChannel("a");
  auto sub = subscribeConfirmed(*bus, ch, got.handler());
  ASSERT_TRUE(bus->publish(ch, "hello"));
  ASSERT_TRUE(got.waitFor(1));
  EXPECT_EQ(got.messages(), (std::vector<Message>{{ch, "hello"}}));
}

TEST_P(BusContract, KeepsPublishOrderOfAThousandMessages) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  const auto ch = uniqueChannel("order");
  auto sub = subscribeConfirmed(*bus, ch, got.handler());
  std::vector<std::string> sent;
  for (int i = 0; i < 1000; ++i) {
    sent.push_back("m" + std::to_string(i));
    ASSERT_TRUE(bus->publish(ch, sent.back())) << i;
  }
  ASSERT_TRUE(got.waitFor(1000, 10s)) << got.size();
  EXPECT_EQ(got.payloads(), sent);
}

TEST_P(BusContract, EverySubscriberGetsEveryMessage) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector a, b, c;
  const auto ch = uniqueChannel("fan");
  auto sa = subscribeConfirmed(*bus, ch, a.handler());
  auto sb = subscribeConfirmed(*bus, ch, b.handler());
  auto sc = subscribeConfirmed(*bus, ch, c.handler());
  ASSERT_TRUE(bus->publish(ch, "1"));
  ASSERT_TRUE(bus->publish(ch, "2"));
  for (auto* col : {&a, &b, &c}) {
    ASSERT_TRUE(col->waitFor(2));
    EXPECT_EQ(col->payloads(), (std::vector<std::string>{"1", "2"}));
  }
}

TEST_P(BusContract, UnsubscribeStopsDelivery) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector dropped, witness;
  const auto ch = uniqueChannel("unsub");
  auto sub = subscribeConfirmed(*bus, ch, dropped.handler());
  auto keep = subscribeConfirmed(*bus, ch, witness.handler());
  ASSERT_TRUE(bus->publish(ch, "before"));
  ASSERT_TRUE(dropped.waitFor(1));
  sub.reset();
  EXPECT_FALSE(sub.active());
  ASSERT_TRUE(bus->publish(ch, "after1"));
  ASSERT_TRUE(bus->publish(ch, "after2"));
  ASSERT_TRUE(witness.waitFor(3));  // same channel, same order: "after2" was handled
  EXPECT_EQ(dropped.payloads(), (std::vector<std::string>{"before"}));
}

TEST_P(BusContract, UnsubscribingTheLastSubscriberThenSubscribingAgainWorks) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector first, second;
  const auto ch = uniqueChannel("again");
  auto sub = subscribeConfirmed(*bus, ch, first.handler());
  sub.reset();
  // Immediately again: on Redis the UNSUBSCRIBE may still be in flight.
  auto again = subscribeConfirmed(*bus, ch, second.handler());
  ASSERT_TRUE(bus->publish(ch, "x"));
  ASSERT_TRUE(second.waitFor(1));
  EXPECT_EQ(first.size(), 0u);
}

TEST_P(BusContract, ASubscriptionMayDestroyItselfInsideItsHandler) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector witness;
  std::atomic<int> calls{0};
  const auto ch = uniqueChannel("self");
  auto holder = std::make_unique<Subscription>();
  *holder = subscribeConfirmed(*bus, ch, [&](std::string_view, std::string_view) {
    ++calls;
    holder.reset();  // destroys the Subscription whose handler is running right now
  });
  auto keep = subscribeConfirmed(*bus, ch, witness.handler());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bus->publish(ch, "p" + std::to_string(i)));
  ASSERT_TRUE(witness.waitFor(3));
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(BusContract, ResetFromAnotherThreadWaitsForTheRunningHandler) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  std::atomic<bool> started{false}, finished{false};
  const auto ch = uniqueChannel("wait");
  auto sub = subscribeConfirmed(*bus, ch, [&](std::string_view, std::string_view) {
    started = true;
    std::this_thread::sleep_for(200ms);  // a slow handler, on purpose
    finished = true;
  });
  ASSERT_TRUE(bus->publish(ch, "x"));
  ASSERT_TRUE(waitUntil([&] { return started.load(); }));
  sub.reset();
  EXPECT_TRUE(finished.load()) << "reset() returned while the handler was still running";
}

TEST_P(BusContract, PayloadsAreBinarySafe) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  const auto ch = uniqueChannel("直播间.弹幕");
  auto sub = subscribeConfirmed(*bus, ch, got.handler());
  std::string big(64 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 256);
  const std::vector<std::string> payloads{std::string("a\0b\0", 4), std::string("\0", 1), "",
                                          "\xff\xfe\x01\x80",       "工会直播 🎉 点赞",    big};
  for (const auto& p : payloads) ASSERT_TRUE(bus->publish(ch, p));
  ASSERT_TRUE(got.waitFor(payloads.size()));
  EXPECT_EQ(got.payloads(), payloads);
  EXPECT_EQ(got.messages().front().channel, ch);
}

TEST_P(BusContract, ManyChannelsStayApart) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  constexpr int kChannels = 200;
  Collector got;
  std::vector<std::string> names;
  std::vector<Subscription> subs;
  for (int i = 0; i < kChannels; ++i) {
    names.push_back(uniqueChannel("c" + std::to_string(i)));
    subs.push_back(bus->subscribe(names.back(), got.handler()));
  }
  ASSERT_TRUE(waitUntil([&] {
    return std::all_of(subs.begin(), subs.end(), [](const Subscription& s) { return s.confirmed(); });
  }));
  for (const auto& n : names) ASSERT_TRUE(bus->publish(n, n));
  ASSERT_TRUE(got.waitFor(kChannels));
  std::set<std::string> seen;
  for (const auto& m : got.messages()) {
    EXPECT_EQ(m.channel, m.payload);
    seen.insert(m.channel);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kChannels));
  EXPECT_EQ(got.size(), static_cast<std::size_t>(kChannels));
}

TEST_P(BusContract, AHandlerMayPublishAndSubscribe) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector onB;
  const auto a = uniqueChannel("a");
  const auto b = uniqueChannel("b");
  std::atomic<int> bounces{0};
  std::optional<Subscription> late;
  auto sa = subscribeConfirmed(*bus, a, [&](std::string_view, std::string_view payload) {
    // Publishing to its own channel and to another one from inside a handler must not deadlock.
    if (++bounces < 5)
      EXPECT_TRUE(bus->publish(a, payload));
    else
      EXPECT_TRUE(bus->publish(b, "done"));
    if (!late) late = bus->subscribe(uniqueChannel("late"), [](std::string_view, std::string_view) {});
  });
  auto sb = subscribeConfirmed(*bus, b, onB.handler());
  ASSERT_TRUE(bus->publish(a, "ball"));
  ASSERT_TRUE(onB.waitFor(1));
  EXPECT_EQ(bounces.load(), 5);
}

TEST_P(BusContract, ConcurrentPublishersKeepTheirOwnOrder) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  const auto ch = uniqueChannel("threads");
  auto sub = subscribeConfirmed(*bus, ch, got.handler());
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        EXPECT_TRUE(bus->publish(ch, std::to_string(t) + ":" + std::to_string(i)));
    });
  for (auto& th : threads) th.join();
  ASSERT_TRUE(got.waitFor(kThreads * kEach, 10s));
  std::map<int, int> next;
  for (const auto& p : got.payloads()) {
    int t = std::stoi(p.substr(0, p.find(':')));
    int i = std::stoi(p.substr(p.find(':') + 1));
    EXPECT_EQ(i, next[t]) << "thread " << t;
    next[t] = i + 1;
  }
}

TEST_P(BusContract, AThrowingHandlerDoesNotStopTheBus) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  const auto ch = uniqueChannel("throw");
  auto bad = subscribeConfirmed(
      *bus, ch, [](std::string_view, std::string_view) { throw std::runtime_error("handler bug"); });
  auto good = subscribeConfirmed(*bus, ch, got.handler());
  ASSERT_TRUE(bus->publish(ch, "1"));
  ASSERT_TRUE(bus->publish(ch, "2"));
  ASSERT_TRUE(got.waitFor(2));
  EXPECT_TRUE(bus->ready());
}

TEST_P(BusContract, ASubscriptionMayOutliveItsBus) {
  auto bus = openBus();
  ASSERT_TRUE(bus);
  Collector got;
  auto sub = subscribeConfirmed(*bus, uniqueChannel("outlive"), got.handler());
  bus.reset();
  sub.reset();  // must neither crash nor touch the dead bus
  SUCCEED();
}

}  // namespace hub::bus::test
