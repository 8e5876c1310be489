// core/loop/worker_pool.cpp
//
// One mutex + condition variable queue: the tasks are blocking calls that take milliseconds, so
// a lock-free queue would buy nothing measurable here.
#include "core/loop/worker_pool.h"

#include <exception>
#include <utility>

#include "core/log/log.h"
#include "core/loop/thread_name.h"

namespace hub::loop {

WorkerPool::WorkerPool(WorkerPoolOptions options) : options_(std::move(options)) {
  if (options_.threads == 0) options_.threads = 1;
  threads_.reserve(options_.threads);
  for (std::size_t i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

WorkerPool::WorkerPool(std::size_t threads, std::function<void(std::size_t)> onThreadStart,
                       std::function<void(std::size_t)> onThreadExit)
    : WorkerPool(WorkerPoolOptions{.threads = threads,
                                   .onThreadStart = std::move(onThreadStart),
                                   .onThreadExit = std::move(onThreadExit)}) {}

WorkerPool::~WorkerPool() { shutdown(); }

Status WorkerPool::submit(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return makeError("loop.stopped", "worker pool is shutting down");
    if (options_.maxQueue && queue_.size() >= options_.maxQueue)
      return makeError("loop.queue_full",
                       "worker pool queue full (" + std::to_string(options_.maxQueue) + " tasks)");
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return {};
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerPool::run(std::size_t index) {
  setThreadName(options_.name + "-" + std::to_string(index));
  static const auto log = hub::log::get("core.loop");
  // Hooks and tasks run user code: an exception must not escape the thread (std::terminate).
  auto guarded = [&](const char* what, auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      log->error("worker {} {}: uncaught exception: {}", index, what, e.what());
    } catch (...) {
      log->error("worker {} {}: uncaught non-standard exception", index, what);
    }
  };
  if (options_.onThreadStart) guarded("start hook", [&] { options_.onThreadStart(index); });
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    guarded("task", task);
  }
  if (options_.onThreadExit) guarded("exit hook", [&] { options_.onThreadExit(index); });
}

}  // namespace hub::loop
