// chat/fanout/tests/engine_contract.cpp
//
// The engine contract suite (see engine_contract.h): ids, delivery to every subscribed node once
// and in order, capped history and gaps, room events, likes totals, viewer sums with expiry, and
// what happens after stop().
#include "chat/fanout/tests/engine_contract.h"

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace hub::chat::fanout::test {
namespace {

using namespace std::chrono_literals;

std::string uniqueRoom(const std::string& base) {
  static std::atomic<int> counter{0};
  return base + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007) + "-" +
         std::to_string(counter++);
}

struct Received {
  std::string room;
  std::uint64_t id;
  std::string text;
};

// One started node that records every frame it is handed.
class Node {
 public:
  explicit Node(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {
    Engine::Handlers h;
    h.onFrame = [this](const std::string& room, std::uint64_t id, const Frame& frame) {
      std::lock_guard lock(mutex_);
      frames_.push_back({room, id, *frame});
      cv_.notify_all();
    };
    auto ok = engine_->start(std::move(h));
    EXPECT_TRUE(ok.ok()) << (ok ? "" : ok.error().message);
  }
  Engine& operator*() { return *engine_; }
  Engine* operator->() { return engine_.get(); }

  // Waits until `n` frames arrived (or 10 s) and returns all of them.
  std::vector<Received> waitFrames(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return frames_.size() >= n; });
    return frames_;
  }
  std::vector<Received> frames() {
    std::lock_guard lock(mutex_);
    return frames_;
  }

  void subscribe(const std::string& room) {
    std::promise<Status> p;
    engine_->subscribe(room, [&p](Status s) { p.set_value(std::move(s)); });
    auto s = p.get_future().get();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  Result<Published> publish(const std::string& room, const std::string& text) {
    std::promise<Result<Published>> p;
    engine_->publishMessage(room, MessageTemplate{"{\"id\":", ",\"text\":\"" + text + "\"}"},
                            [&p](Result<Published> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  Result<History> history(const std::string& room, std::optional<std::uint64_t> since) {
    std::promise<Result<History>> p;
    engine_->history(room, since, [&p](Result<History> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  Result<History> recent(const std::string& room, std::size_t count) {
    std::promise<Result<History>> p;
    engine_->recent(room, count, [&p](Result<History> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  Result<std::vector<RoomCount>> likes(std::vector<RoomCount> deltas, std::vector<std::string> rooms) {
    std::promise<Result<std::vector<RoomCount>>> p;
    engine_->likesTick(std::move(deltas), std::move(rooms),
                       [&p](Result<std::vector<RoomCount>> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  Result<std::vector<RoomCount>> viewers(std::vector<RoomCount> local) {
    std::promise<Result<std::vector<RoomCount>>> p;
    engine_->viewersTick(std::move(local),
                         [&p](Result<std::vector<RoomCount>> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Received> frames_;
};

std::string text(std::uint64_t id, const std::string& t) {
  return "{\"id\":" + std::to_string(id) + ",\"text\":\"" + t + "\"}";
}

TEST_P(EngineContract, IdsIncreaseAcrossNodesAndEveryNodeGetsEachMessageOnceInOrder) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("ids");
  a.subscribe(room);
  b.subscribe(room);

  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 6; ++i) {
    Node& sender = i % 2 == 0 ? a : b;
    auto r = sender.publish(room, "m" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r->frame, text(r->id, "m" + std::to_string(i)));
    ids.push_back(r->id);
  }
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], i + 1);

  for (Node* n : {&a, &b}) {
    auto got = n->waitFrames(6);
    ASSERT_EQ(got.size(), 6u);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].room, room);
      EXPECT_EQ(got[i].id, i + 1);
      EXPECT_EQ(got[i].text, text(i + 1, "m" + std::to_string(i)));
    }
  }
  std::this_thread::sleep_for(100ms);  // nothing more arrives
  EXPECT_EQ(a.frames().size(), 6u);
  EXPECT_EQ(b.frames().size(), 6u);
}

TEST_P(EngineContract, OnlySubscribedNodesReceiveAndUnsubscribeStopsDelivery) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("sub");
  const auto other = uniqueRoom("other");
  a.subscribe(room);
  b.subscribe(other);
  ASSERT_TRUE(b.publish(room, "x").ok());
  ASSERT_EQ(a.waitFrames(1).size(), 1u);

  a->unsubscribe(room);
  a.subscribe(other);  // a marker: once it is confirmed, the unsubscribe is too
  ASSERT_TRUE(b.publish(room, "y").ok());
  ASSERT_TRUE(b.publish(other, "z").ok());
  auto got = a.waitFrames(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].room, other);
  EXPECT_EQ(got[1].text, text(1, "z"));
  auto bGot = b.waitFrames(1);
  ASSERT_EQ(bGot.size(), 1u);
  EXPECT_EQ(bGot[0].room, other);
}

TEST_P(EngineContract, HistoryReplaysAfterSinceAndReportsGapsOlderThanTheCap) {
  EngineOptions options;
  options.historySize = 5;
  auto cluster = GetParam().make(options);
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("hist");
  for (int i = 1; i <= 8; ++i) ASSERT_TRUE(a.publish(room, "h" + std::to_string(i)).ok());

  auto recent = b.history(room, 5);
  ASSERT_TRUE(recent.ok()) << recent.error().message;
  EXPECT_EQ(recent->lastId, 8u);
  EXPECT_TRUE(recent->recovered);
  ASSERT_EQ(recent->events.size(), 3u);
  EXPECT_EQ(*recent->events[0], text(6, "h6"));
  EXPECT_EQ(*recent->events[2], text(8, "h8"));

  auto edge = b.history(room, 3);  // 4..8 are all kept
  ASSERT_TRUE(edge.ok());
  EXPECT_TRUE(edge->recovered);
  EXPECT_EQ(edge->events.size(), 5u);

  auto old = b.history(room, 1);  // 2 and 3 are gone
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->recovered);
  ASSERT_EQ(old->events.size(), 5u);
  EXPECT_EQ(*old->events[0], text(4, "h4"));

  auto none = b.history(room, 8);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->recovered);
  EXPECT_TRUE(none->events.empty());

  auto future = b.history(room, 20);  // the server forgot the room's ids
  ASSERT_TRUE(future.ok());
  EXPECT_FALSE(future->recovered);

  auto last = b.history(room, std::nullopt);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->lastId, 8u);
  EXPECT_TRUE(last->recovered);
  EXPECT_TRUE(last->events.empty());

  auto fresh = b.history(uniqueRoom("fresh"), 0);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->lastId, 0u);
  EXPECT_TRUE(fresh->recovered);
}

TEST_P(EngineContract, RoomEventsReachEverySubscribedNodeWithIdZeroAndStayOutOfHistory) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("events");
  a.subscribe(room);
  b.subscribe(room);
  ASSERT_TRUE(a.publish(room, "m").ok());
  auto tomb = std::make_shared<const std::string>("{\"type\":\"deleted\",\"id\":1}");
  ASSERT_TRUE(b->publishEvent(room, tomb).ok());
  for (Node* n : {&a, &b}) {
    auto got = n->waitFrames(2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].id, 1u);
    EXPECT_EQ(got[1].id, 0u);
    EXPECT_EQ(got[1].text, *tomb);
  }
  auto h = a.history(room, 0);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->events.size(), 1u);
}

TEST_P(EngineContract, RecentAnswersTheLastMessagesForAJoinWithoutSince) {
  EngineOptions options;
  options.historySize = 5;
  auto cluster = GetParam().make(options);
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("recent");
  auto empty = b.recent(room, 3);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->lastId, 0u);
  EXPECT_TRUE(empty->events.empty());
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE(a.publish(room, "r" + std::to_string(i)).ok());

  auto three = b.recent(room, 3);
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three->lastId, 7u);
  EXPECT_TRUE(three->recovered);
  ASSERT_EQ(three->events.size(), 3u);
  EXPECT_EQ(*three->events[0], text(5, "r5"));
  EXPECT_EQ(*three->events[2], text(7, "r7"));

  auto capped = b.recent(room, 50);  // only 5 are kept
  ASSERT_TRUE(capped.ok());
  ASSERT_EQ(capped->events.size(), 5u);
  EXPECT_EQ(*capped->events[0], text(3, "r3"));

  auto none = b.recent(room, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->lastId, 7u);
  EXPECT_TRUE(none->events.empty());
}

TEST_P(EngineContract, RetractedMessagesLeaveOnlyTheirTombstoneInHistory) {
  EngineOptions options;
  options.historySize = 5;
  auto cluster = GetParam().make(options);
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("retract");
  b.subscribe(room);
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(a.publish(room, "secret" + std::to_string(i)).ok());
  auto tomb = std::make_shared<const std::string>("{\"type\":\"deleted\",\"id\":5}");
  ASSERT_TRUE(a->retract(room, 5, tomb).ok());
  // Gone from the history already (id 1) and unknown ids change nothing, but are still sent.
  ASSERT_TRUE(a->retract(room, 1, std::make_shared<const std::string>("t1")).ok());
  ASSERT_TRUE(a->retract(room, 99, std::make_shared<const std::string>("t99")).ok());

  auto got = b.waitFrames(9);
  ASSERT_EQ(got.size(), 9u);
  EXPECT_EQ(got[6].id, 0u);
  EXPECT_EQ(got[6].text, *tomb);

  auto since = b.history(room, 3);
  ASSERT_TRUE(since.ok()) << since.error().message;
  ASSERT_EQ(since->events.size(), 3u);
  EXPECT_EQ(*since->events[0], text(4, "secret4"));
  EXPECT_EQ(*since->events[1], *tomb);  // id 5: the tombstone, never the text
  EXPECT_EQ(*since->events[2], text(6, "secret6"));
  auto last = b.recent(room, 2);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->events.size(), 2u);
  EXPECT_EQ(*last->events[0], *tomb);
  auto all = b.history(room, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->events.size(), 5u);
  for (const auto& e : all->events) EXPECT_EQ(e->find("secret5"), std::string::npos) << *e;
  EXPECT_EQ(*all->events[0], text(2, "secret2"));
}

TEST_P(EngineContract, LikesDeltasOfAllNodesAddUpToOneTotal) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("likes");
  const auto quiet = uniqueRoom("quiet");
  auto r1 = a.likes({{room, 5}}, {room});
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(*r1, (std::vector<RoomCount>{{room, 5}}));
  auto r2 = b.likes({{room, 7}}, {room, quiet});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, (std::vector<RoomCount>{{room, 12}, {quiet, 0}}));
  auto r3 = a.likes({}, {room});
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(*r3, (std::vector<RoomCount>{{room, 12}}));
}

TEST_P(EngineContract, ViewerCountsAreSummedOverNodesAndExpireWhenANodeGoesQuiet) {
  EngineOptions options;
  options.viewersTtl = 400ms;
  auto cluster = GetParam().make(options);
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("viewers");
  ASSERT_TRUE(a.viewers({{room, 3}}).ok());
  auto both = b.viewers({{room, 4}});
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(*both, (std::vector<RoomCount>{{room, 7}}));

  auto gone = a.viewers({{room, 0}});  // a's last viewer left
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, (std::vector<RoomCount>{{room, 4}}));

  ASSERT_TRUE(a.viewers({{room, 2}}).ok());
  std::this_thread::sleep_for(700ms);  // b stopped reporting: its entry expires
  auto late = a.viewers({{room, 2}});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(*late, (std::vector<RoomCount>{{room, 2}}));
}

TEST_P(EngineContract, CallsAfterStopFailClosedAndNoHandlerRunsAfterIt) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("stop");
  a.subscribe(room);
  b->stop();
  auto r = b.publish(room, "late");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "chat.engine_closed");
  EXPECT_EQ(b->publishEvent(room, std::make_shared<const std::string>("x")).error().code,
            "chat.engine_closed");
  a->stop();
  EXPECT_TRUE(a.frames().empty());
}

TEST_P(EngineContract, ConcurrentPublishersGetDistinctIdsAndOneOrderEverywhere) {
  auto cluster = GetParam().make(EngineOptions{});
  Node a(cluster->node());
  Node b(cluster->node());
  const auto room = uniqueRoom("race");
  a.subscribe(room);
  b.subscribe(room);
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (Node* n : {&a, &b}) {
    threads.emplace_back([n, &room] {
      for (int i = 0; i < kPerThread; ++i) EXPECT_TRUE(n->publish(room, "r").ok());
    });
  }
  for (auto& t : threads) t.join();
  auto ga = a.waitFrames(2 * kPerThread);
  auto gb = b.waitFrames(2 * kPerThread);
  ASSERT_EQ(ga.size(), 2u * kPerThread);
  ASSERT_EQ(gb.size(), 2u * kPerThread);
  for (std::size_t i = 0; i < ga.size(); ++i) {
    EXPECT_EQ(ga[i].id, i + 1);
    EXPECT_EQ(gb[i].id, i + 1);
  }
}

}  // namespace
}  // namespace hub::chat::fanout::test
