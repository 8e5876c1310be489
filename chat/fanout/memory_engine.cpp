// chat/fanout/memory_engine.cpp
//
// The in-process engine: a mutex-guarded table of rooms shared by the nodes of one backend, and
// one thread per node that runs its handlers and callbacks.
#include "chat/fanout/memory_engine.h"

#include <algorithm>
#include <utility>

#include "core/loop/thread_name.h"

namespace hub::chat::fanout {
namespace {

Error closed() { return makeError("chat.engine_closed", "fan-out engine stopped"); }

}  // namespace

MemoryBackend::MemoryBackend(EngineOptions options, const Clock& clock) : options_(options), clock_(clock) {}

MemoryEngine::MemoryEngine(std::shared_ptr<MemoryBackend> backend) : backend_(std::move(backend)) {
  std::lock_guard lock(backend_->mutex_);
  node_ = backend_->nextNode_++;
}

std::unique_ptr<MemoryEngine> MemoryEngine::standalone(EngineOptions options, const Clock& clock) {
  return std::make_unique<MemoryEngine>(std::make_shared<MemoryBackend>(options, clock));
}

MemoryEngine::~MemoryEngine() { stop(); }

Status MemoryEngine::start(Handlers handlers) {
  std::lock_guard lock(queueMutex_);
  if (started_ || stopping_) return makeError("chat.engine_start", "engine started twice");
  handlers_ = std::move(handlers);
  started_ = true;
  thread_ = hub::loop::namedThread("hub-chat-fanout", [this] { run(); });
  return {};
}

void MemoryEngine::stop() {
  {
    std::lock_guard lock(queueMutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  {
    // No backend post reaches this node once it left every room.
    std::lock_guard lock(backend_->mutex_);
    for (auto& [name, room] : backend_->rooms_) {
      room.subscribers.erase(this);
      room.viewers.erase(node_);
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemoryEngine::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(queueMutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

bool MemoryEngine::post(std::function<void()> task, bool bounded) {
  {
    std::lock_guard lock(queueMutex_);
    if (!started_ || stopping_) return false;
    if (bounded && queue_.size() >= backend_->options_.maxPending) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

Status MemoryEngine::admit() {
  std::lock_guard lock(queueMutex_);
  if (!started_ || stopping_) return closed();
  if (queue_.size() >= backend_->options_.maxPending) {
    return makeError("chat.engine_overloaded", "fan-out engine queue full");
  }
  return {};
}

void MemoryEngine::publishMessage(std::string room, MessageTemplate text, Done<Published> done) {
  if (auto ok = admit(); !ok) return done(ok.error());
  Published published;
  {
    std::lock_guard lock(backend_->mutex_);
    auto& r = backend_->rooms_[room];
    published.id = ++r.lastId;
    std::string body = std::move(text.prefix);
    body += std::to_string(published.id);
    body += text.suffix;
    published.frame = std::make_shared<const std::string>(std::move(body));
    r.history.push_back(published.frame);
    while (r.history.size() > backend_->options_.historySize) r.history.pop_front();
    for (MemoryEngine* node : r.subscribers) {
      node->post(
          [node, room, id = published.id, frame = published.frame] {
            if (node->handlers_.onFrame) node->handlers_.onFrame(room, id, frame);
          },
          false);
    }
  }
  reply(std::move(done), Result<Published>(std::move(published)));
}

Status MemoryEngine::publishEvent(std::string room, Frame frame) {
  if (auto ok = admit(); !ok) return ok;
  std::lock_guard lock(backend_->mutex_);
  auto it = backend_->rooms_.find(room);
  if (it == backend_->rooms_.end()) return {};
  for (MemoryEngine* node : it->second.subscribers) {
    node->post(
        [node, room, frame] {
          if (node->handlers_.onFrame) node->handlers_.onFrame(room, 0, frame);
        },
        false);
  }
  return {};
}

Status MemoryEngine::retract(std::string room, std::uint64_t id, Frame tombstone) {
  if (auto ok = admit(); !ok) return ok;
  std::lock_guard lock(backend_->mutex_);
  auto it = backend_->rooms_.find(room);
  if (it == backend_->rooms_.end()) return {};
  auto& r = it->second;
  const std::uint64_t first = r.lastId - r.history.size() + 1;  // id of history.front()
  if (id >= first && id <= r.lastId) r.history[id - first] = tombstone;
  for (MemoryEngine* node : r.subscribers) {
    node->post(
        [node, room, tombstone] {
          if (node->handlers_.onFrame) node->handlers_.onFrame(room, 0, tombstone);
        },
        false);
  }
  return {};
}

void MemoryEngine::subscribe(std::string room, std::function<void(Status)> done) {
  if (auto ok = admit(); !ok) {
    if (done) done(ok);
    return;
  }
  {
    std::lock_guard lock(backend_->mutex_);
    backend_->rooms_[room].subscribers.insert(this);
  }
  if (done) reply(std::move(done), Status{});
}

void MemoryEngine::unsubscribe(std::string room) {
  std::lock_guard lock(backend_->mutex_);
  auto it = backend_->rooms_.find(room);
  if (it != backend_->rooms_.end()) it->second.subscribers.erase(this);
}

void MemoryEngine::history(std::string room, std::optional<std::uint64_t> since, Done<History> done) {
  if (auto ok = admit(); !ok) return done(ok.error());
  History h;
  {
    std::lock_guard lock(backend_->mutex_);
    auto it = backend_->rooms_.find(room);
    if (it != backend_->rooms_.end()) {
      const auto& r = it->second;
      h.lastId = r.lastId;
      if (since) {
        const std::uint64_t first = r.lastId - r.history.size() + 1;  // id of history.front()
        if (*since > r.lastId) {
          h.recovered = false;
        } else {
          h.recovered = *since + 1 >= first;
          const std::uint64_t from = std::max(*since + 1, first);
          for (std::uint64_t id = from; id <= r.lastId; ++id) {
            h.events.push_back(r.history[id - first]);
          }
        }
      }
    } else if (since && *since > 0) {
      h.recovered = false;
    }
  }
  reply(std::move(done), Result<History>(std::move(h)));
}

void MemoryEngine::recent(std::string room, std::size_t count, Done<History> done) {
  if (auto ok = admit(); !ok) return done(ok.error());
  History h;
  {
    std::lock_guard lock(backend_->mutex_);
    auto it = backend_->rooms_.find(room);
    if (it != backend_->rooms_.end()) {
      const auto& r = it->second;
      h.lastId = r.lastId;
      const std::size_t n = std::min(count, r.history.size());
      h.events.assign(r.history.end() - static_cast<std::ptrdiff_t>(n), r.history.end());
    }
  }
  reply(std::move(done), Result<History>(std::move(h)));
}

void MemoryEngine::likesTick(std::vector<RoomCount> deltas, std::vector<std::string> rooms,
                             Done<std::vector<RoomCount>> done) {
  if (auto ok = admit(); !ok) return done(ok.error());
  std::vector<RoomCount> totals;
  {
    std::lock_guard lock(backend_->mutex_);
    for (const auto& d : deltas) backend_->rooms_[d.room].likes += d.count;
    for (auto& name : rooms) {
      auto it = backend_->rooms_.find(name);
      totals.push_back({std::move(name), it == backend_->rooms_.end() ? 0 : it->second.likes});
    }
  }
  reply(std::move(done), Result<std::vector<RoomCount>>(std::move(totals)));
}

void MemoryEngine::viewersTick(std::vector<RoomCount> local, Done<std::vector<RoomCount>> done) {
  if (auto ok = admit(); !ok) return done(ok.error());
  {
    std::lock_guard lock(backend_->mutex_);
    const auto now = backend_->clock_.steady();
    for (auto& entry : local) {
      auto& viewers = backend_->rooms_[entry.room].viewers;
      if (entry.count == 0) {
        viewers.erase(node_);
      } else {
        viewers[node_] = {entry.count, now + backend_->options_.viewersTtl};
      }
      std::uint64_t sum = 0;
      for (auto it = viewers.begin(); it != viewers.end();) {
        if (it->second.expires <= now) {
          it = viewers.erase(it);
        } else {
          sum += it->second.count;
          ++it;
        }
      }
      entry.count = sum;
    }
  }
  reply(std::move(done), Result<std::vector<RoomCount>>(std::move(local)));
}

}  // namespace hub::chat::fanout
