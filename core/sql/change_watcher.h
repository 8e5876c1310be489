// core/sql/change_watcher.h
//
// Polls hub_changes on a thread of its own and calls the callbacks registered for a topic
// when its version moves (including a topic that appears after start). Callbacks run on the
// watcher's thread, one at a time: keep them short and hand real work to the owner's loop.
// A failing poll is logged once and retried; changes made meanwhile are seen on recovery.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/sql/database.h"

namespace hub::sql {

class ChangeWatcher {
 public:
  using Callback = std::function<void(std::string_view topic, std::int64_t version)>;

  explicit ChangeWatcher(Database& db, std::chrono::milliseconds interval = std::chrono::milliseconds(250));
  ~ChangeWatcher();  // stop()s
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  // Any time, from any thread. An empty topic means every topic.
  void onChange(std::string topic, Callback fn);

  // Reads the current versions as the baseline (no callbacks for them), then starts polling.
  // Fails, and starts nothing, when that first read fails (e.g. hub_changes is missing).
  Status start();
  // Wakes the thread and joins it; returns within one poll's duration. Idempotent.
  void stop();

  // One poll on the caller's thread: what the thread does every interval.
  Status pollOnce();

 private:
  void run();

  Database& db_;
  std::chrono::milliseconds interval_;
  std::mutex callbacksMu_;
  std::map<std::string, std::vector<Callback>> callbacks_;
  std::mutex pollMu_;  // one poll at a time, and versions_ with it
  std::map<std::string, std::int64_t> versions_;
  std::mutex stopMu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool failing_ = false;
  std::thread thread_;
};

}  // namespace hub::sql
