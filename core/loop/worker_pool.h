// core/loop/worker_pool.h
//
// A fixed set of threads for blocking work (SQL, file system, hashing) that must never run on an
// event-loop thread. The queue is bounded: submit() refuses work when it is full so an overloaded
// node answers 503 quickly instead of queueing without limit. Per-thread hooks let a driver set
// up and tear down its thread state (MySQL Connector/C++ threadInit/threadEnd).
//
// Threading: submit() is safe from any thread, including from a task. shutdown() (or the
// destructor) stops taking work, runs what is already queued, then joins; it must not be called
// from one of the pool's own threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/util/result.h"

namespace hub::loop {

struct WorkerPoolOptions {
  std::size_t threads = 4;
  std::size_t maxQueue = 10000;     // tasks waiting, not running; 0 = unbounded
  std::string name = "hub-worker";  // thread names become "<name>-<index>"
  // Run on each worker thread before its first task and after its last one.
  std::function<void(std::size_t index)> onThreadStart;
  std::function<void(std::size_t index)> onThreadExit;
};

class WorkerPool {
 public:
  using Task = std::function<void()>;

  explicit WorkerPool(WorkerPoolOptions options);
  // Shorthand: `threads` workers with optional hooks and the default queue bound.
  WorkerPool(std::size_t threads, std::function<void(std::size_t)> onThreadStart = {},
             std::function<void(std::size_t)> onThreadExit = {});
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`. Errors: "loop.queue_full" when maxQueue tasks wait, "loop.stopped" after
  // shutdown() began. A task that throws is logged and does not kill its worker.
  Status submit(Task task);

  // Stops accepting, finishes queued tasks, joins the threads. Idempotent.
  void shutdown();

  std::size_t threads() const { return threads_.size(); }
  std::size_t queued() const;

 private:
  void run(std::size_t index);

  WorkerPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hub::loop
