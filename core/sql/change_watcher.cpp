// core/sql/change_watcher.cpp
//
// Callbacks are copied out under their lock and run without it, so a callback may register
// another one without deadlocking.
#include "core/sql/change_watcher.h"

#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/sql/thread_scope.h"

namespace hub::sql {

ChangeWatcher::ChangeWatcher(Database& db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval) {}

ChangeWatcher::~ChangeWatcher() { stop(); }

void ChangeWatcher::onChange(std::string topic, Callback fn) {
  std::lock_guard lock(callbacksMu_);
  callbacks_[std::move(topic)].push_back(std::move(fn));
}

Status ChangeWatcher::start() {
  if (thread_.joinable()) return {};
  auto rows = db_.query("SELECT topic, version FROM hub_changes");
  if (!rows) return rows.error().wrap("change watcher");
  {
    std::lock_guard lock(pollMu_);
    versions_.clear();
    for (const Row& row : *rows) versions_[row.getString("topic")] = row.getInt("version");
  }
  {
    std::lock_guard lock(stopMu_);
    stopping_ = false;
  }
  thread_ = hub::loop::namedThread("hub-changes", [this] { run(); });
  return {};
}

void ChangeWatcher::stop() {
  {
    std::lock_guard lock(stopMu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ChangeWatcher::pollOnce() {
  std::vector<std::pair<std::string, std::int64_t>> moved;
  {
    std::lock_guard lock(pollMu_);
    auto rows = db_.query("SELECT topic, version FROM hub_changes");
    if (!rows) return rows.error().wrap("change watcher");
    for (const Row& row : *rows) {
      std::string topic = row.getString("topic");
      std::int64_t version = row.getInt("version");
      auto [it, fresh] = versions_.try_emplace(topic, version);
      if (fresh || it->second != version) {
        it->second = version;
        moved.emplace_back(std::move(topic), version);
      }
    }
  }
  for (const auto& [topic, version] : moved) {
    std::vector<Callback> fns;
    {
      std::lock_guard lock(callbacksMu_);
      for (const std::string& key : {topic, std::string()}) {
        auto it = callbacks_.find(key);
        if (it != callbacks_.end()) fns.insert(fns.end(), it->second.begin(), it->second.end());
      }
    }
    for (const Callback& fn : fns) {
      try {
        fn(topic, version);
      } catch (const std::exception& e) {  // a callback must not take the watcher down
        hub::log::get("core.sql")->error("change callback for {} threw: {}", topic, e.what());
      }
    }
  }
  return {};
}

void ChangeWatcher::run() {
  ThreadScope scope;  // MySQL driver state for this thread, ended before it exits
  auto log = hub::log::get("core.sql");
  std::unique_lock lock(stopMu_);
  while (!stopping_) {
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
    lock.unlock();
    Status st = pollOnce();
    if (!st && !failing_) log->warn("[db={}] {}; retrying every poll", db_.url(), st.error().message);
    if (st && failing_) log->info("[db={}] change watcher recovered", db_.url());
    failing_ = !st;
    lock.lock();
  }
}

}  // namespace hub::sql
