// core/loop/tests/worker_pool_test.cpp
//
// The worker pool runs every accepted task, on its own threads, with the hooks around them.
#include "core/loop/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

namespace hub::loop {
namespace {

TEST(WorkerPool, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pool.submit([&] { ++done; }));
    pool.shutdown();
    EXPECT_EQ(done.load(), 1000);
  }
}

TEST(WorkerPool, RunsTasksOffTheCallingThread) {
  WorkerPool pool(2);
  std::promise<std::thread::id> p;
  ASSERT_TRUE(pool.submit([&] { p.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(p.get_future().get(), std::this_thread::get_id());
}

TEST(WorkerPool, CallsHooksOncePerThread) {
  std::atomic<int> starts{0}, exits{0};
  std::mutex mu;
  std::set<std::size_t> indexes;
  {
    WorkerPool pool(
        4,
        [&](std::size_t i) {
          ++starts;
          std::lock_guard l(mu);
          indexes.insert(i);
        },
        [&](std::size_t) { ++exits; });
    ASSERT_TRUE(pool.submit([] {}));
  }
  EXPECT_EQ(starts.load(), 4);
  EXPECT_EQ(exits.load(), 4);
  EXPECT_EQ(indexes, (std::set<std::size_t>{0, 1, 2, 3}));
}

TEST(WorkerPool, RefusesWorkWhenQueueFull) {
  std::promise<void> gate;
  auto gateFuture = gate.get_future().share();
  WorkerPoolOptions options;
  options.threads = 1;
  options.maxQueue = 2;
  WorkerPool pool(options);
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&] {
    started.set_value();
    gateFuture.wait();
  }));
  started.get_future().wait();  // the worker is busy, the queue is empty
  ASSERT_TRUE(pool.submit([] {}));
  ASSERT_TRUE(pool.submit([] {}));
  auto full = pool.submit([] {});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "loop.queue_full");
  gate.set_value();
}

TEST(WorkerPool, RefusesWorkAfterShutdown) {
  WorkerPool pool(1);
  pool.shutdown();
  auto r = pool.submit([] {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "loop.stopped");
}

TEST(WorkerPool, SurvivesThrowingTask) {
  WorkerPool pool(1);
  ASSERT_TRUE(pool.submit([] { throw std::runtime_error("boom"); }));
  std::promise<void> p;
  ASSERT_TRUE(pool.submit([&] { p.set_value(); }));
  EXPECT_EQ(p.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace hub::loop
