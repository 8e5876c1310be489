// chat/fanout/redis_engine.cpp
//
// Engine calls become EVALs of the scripts in redis_scripts.h on the bus's command connection
// (FIFO, so one thread's calls keep their order); room events arrive on the bus's subscriber
// connection and are handed to onFrame as one shared buffer per node.
#include "chat/fanout/redis_engine.h"

#include <charconv>
#include <random>

#include "chat/fanout/redis_scripts.h"
#include "core/bus/redis_bus.h"
#include "core/log/log.h"

namespace hub::chat::fanout {
namespace {

const auto& logger() {
  static const auto log = log::get("chat.fanout");
  return log;
}

std::string randomNodeId() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

Error closedError() { return makeError("chat.engine_closed", "fan-out engine stopped"); }

std::uint64_t asCount(const bus::RedisReply& r) {
  if (r.type == bus::RedisReply::Type::Integer)
    return r.integer > 0 ? static_cast<std::uint64_t>(r.integer) : 0;
  std::uint64_t v = 0;
  std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  return v;
}

}  // namespace

RedisEngine::RedisEngine(std::string url, EngineOptions options, bus::Options busOptions,
                         std::string keyPrefix)
    : url_(std::move(url)),
      options_(options),
      busOptions_(busOptions),
      prefix_(std::move(keyPrefix)),
      node_(randomNodeId()) {}

RedisEngine::~RedisEngine() { stop(); }

std::string RedisEngine::key(const std::string& room, const char* what) const {
  return prefix_ + "{" + room + "}:" + what;
}

Status RedisEngine::start(Handlers handlers) {
  if (started_.exchange(true)) return makeError("chat.engine_start", "engine already started");
  handlers_ = std::move(handlers);
  auto opened = bus::open(url_, busOptions_);
  if (!opened) {
    stopped_.store(true);  // every later call fails "closed" instead of touching a missing bus
    return makeError("chat.engine_start", opened.error().message);
  }
  auto* redis = dynamic_cast<bus::RedisBus*>(opened->get());
  if (!redis) {
    stopped_.store(true);
    return makeError("chat.engine_start", "the Redis engine needs a redis:// URL, not " + url_);
  }
  static_cast<void>(opened->release());
  bus_.reset(redis);
  bus_->watchReady([this](bool up) { onReady(up); });
  // A node that starts next to a running Redis is ready when start() returns; one that starts
  // while Redis is down does not hang: it connects in the background (state Reconnecting).
  std::unique_lock lock(mu_);
  firstReady_.wait_for(lock, busOptions_.connectTimeout,
                       [this] { return state_.load() == EngineState::Connected; });
  return {};
}

void RedisEngine::stop() {
  if (!started_.load() || stopped_.exchange(true)) return;
  // Joins the loop thread; commands still in flight finish there as "closed" (mapError).
  bus_.reset();
  std::unordered_map<std::string, Room> rooms;
  {
    std::lock_guard lock(mu_);
    rooms.swap(rooms_);
  }
  for (auto& [name, room] : rooms)
    for (auto& done : room.waiting)
      if (done) done(closedError());
}

bool RedisEngine::admit() {
  if (pending_.fetch_add(1) < options_.maxPending) return true;
  pending_.fetch_sub(1);
  return false;
}

Error RedisEngine::mapError(const Error& e) const {
  if (stopped_.load() || e.code == "bus.closed") return closedError();
  if (e.code == "bus.unavailable" || e.code == "bus.connection_lost")
    return makeError("chat.engine_unavailable", e.message);
  if (e.code == "bus.overloaded") return makeError("chat.engine_overloaded", e.message);
  return makeError("chat.engine_failed", e.message);
}

void RedisEngine::later(std::function<void(Status)> fn, Status status) {
  auto shared = std::make_shared<std::function<void(Status)>>(std::move(fn));
  if (!bus_ || !bus_->post([shared, status] { (*shared)(status); })) (*shared)(closedError());
}

template <class T>
void RedisEngine::failLater(Done<T> done, Error error) {
  later([done = std::move(done)](Status st) { done(st.error()); }, std::move(error));
}

void RedisEngine::eval(const char* script, std::vector<std::string> keys, std::vector<std::string> args,
                       std::function<void(Reply)> done) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.emplace_back("EVAL");
  argv.emplace_back(script);
  argv.push_back(std::to_string(keys.size()));
  for (auto& k : keys) argv.push_back(std::move(k));
  for (auto& a : args) argv.push_back(std::move(a));
  bus_->command(std::move(argv), [this, done = std::move(done)](Reply r) {
    pending_.fetch_sub(1);
    if (!r) {
      done(mapError(r.error()));
      return;
    }
    done(std::move(r));
  });
}

void RedisEngine::publishMessage(std::string room, MessageTemplate text, Done<Published> done) {
  if (!started_.load() || stopped_.load()) return done(closedError());
  if (!admit())
    return failLater(std::move(done), makeError("chat.engine_overloaded", "too many fan-out calls queued"));
  std::uint64_t floor = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = rooms_.find(room); it != rooms_.end()) floor = it->second.maxSeen;
  }
  auto tmpl = std::make_shared<MessageTemplate>(std::move(text));
  eval(scripts::kPublishMessage, {key(room, "id"), key(room, "hist")},
       {tmpl->prefix, tmpl->suffix, std::to_string(options_.historySize), channel(room),
        std::to_string(floor)},
       [this, room, tmpl, done = std::move(done)](Reply r) {
         if (!r) return done(r.error());
         const std::uint64_t id = asCount(*r);
         {
           std::lock_guard lock(mu_);
           if (auto it = rooms_.find(room); it != rooms_.end() && it->second.maxSeen < id)
             it->second.maxSeen = id;
         }
         auto frame = std::make_shared<const std::string>(tmpl->prefix + std::to_string(id) + tmpl->suffix);
         done(Published{id, std::move(frame)});
       });
}

Status RedisEngine::publishEvent(std::string room, Frame frame) {
  if (!started_.load() || stopped_.load()) return closedError();
  std::string payload;
  payload.reserve(frame->size() + 2);
  payload.append("e\n").append(*frame);
  if (auto st = bus_->publish(channel(room), payload); !st) return mapError(st.error());
  return {};
}

Status RedisEngine::retract(std::string room, std::uint64_t id, Frame tombstone) {
  if (!started_.load() || stopped_.load()) return closedError();
  if (!admit()) return makeError("chat.engine_overloaded", "too many fan-out calls queued");
  eval(scripts::kRetract, {key(room, "id"), key(room, "hist")},
       {std::to_string(id), *tombstone, channel(room)}, [room, id](Reply r) {
         if (!r) logger()->warn("[room={} id={}] retract failed: {}", room, id, r.error().message);
       });
  return {};
}

void RedisEngine::onPayload(const std::string& room, std::string_view payload) {
  auto nl = payload.find('\n');
  if (nl == std::string_view::npos || payload.empty()) {
    logger()->warn("[room={}] ignored a malformed event on the room channel", room);
    return;
  }
  std::uint64_t id = 0;
  if (payload[0] == 'm') {
    auto [end, ec] = std::from_chars(payload.data() + 1, payload.data() + nl, id);
    if (ec != std::errc() || end != payload.data() + nl || id == 0) {
      logger()->warn("[room={}] ignored a message event without an id", room);
      return;
    }
    std::lock_guard lock(mu_);
    if (auto it = rooms_.find(room); it != rooms_.end() && it->second.maxSeen < id) it->second.maxSeen = id;
  }
  auto frame = std::make_shared<const std::string>(payload.substr(nl + 1));
  if (handlers_.onFrame) handlers_.onFrame(room, id, frame);
}

void RedisEngine::subscribe(std::string room, std::function<void(Status)> done) {
  if (!started_.load() || stopped_.load()) {
    if (done) done(closedError());
    return;
  }
  std::unique_lock lock(mu_);
  auto [it, fresh] = rooms_.try_emplace(room);
  Room& r = it->second;
  if (!fresh && r.confirmed) {
    lock.unlock();
    if (done) later(std::move(done), Status{});
    return;
  }
  if (done) r.waiting.push_back(std::move(done));
  if (!fresh) return;
  r.sub = bus_->subscribe(
      channel(room), [this, room](std::string_view, std::string_view payload) { onPayload(room, payload); },
      [this, room] { onConfirmed(room); });
}

void RedisEngine::onConfirmed(const std::string& room) {
  std::vector<std::function<void(Status)>> waiting;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    it->second.confirmed = true;
    waiting.swap(it->second.waiting);
  }
  for (auto& done : waiting) done(Status{});
  tryFinishResync();
}

void RedisEngine::unsubscribe(std::string room) {
  if (!started_.load() || stopped_.load()) return;
  Room gone;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    gone = std::move(it->second);
    rooms_.erase(it);
  }
  gone.sub.reset();  // outside mu_: it may wait for a handler that takes mu_
  for (auto& done : gone.waiting)
    later(std::move(done), makeError("chat.engine_unavailable", "unsubscribed before the server confirmed"));
  tryFinishResync();
}

void RedisEngine::history(std::string room, std::optional<std::uint64_t> since, Done<History> done) {
  historyQuery(std::move(room), since ? std::to_string(*since) : std::string(), 0, std::move(done));
}

void RedisEngine::recent(std::string room, std::size_t count, Done<History> done) {
  historyQuery(std::move(room), std::string(), count, std::move(done));
}

void RedisEngine::historyQuery(std::string room, std::string since, std::size_t count, Done<History> done) {
  if (!started_.load() || stopped_.load()) return done(closedError());
  if (!admit())
    return failLater(std::move(done), makeError("chat.engine_overloaded", "too many fan-out calls queued"));
  eval(scripts::kHistory, {key(room, "id"), key(room, "hist")}, {std::move(since), std::to_string(count)},
       [done = std::move(done)](Reply r) {
         if (!r) return done(r.error());
         if (r->type != bus::RedisReply::Type::Array || r->elements.size() < 2)
           return done(makeError("chat.engine_failed", "history script answered no array"));
         History h;
         h.lastId = asCount(r->elements[0]);
         h.recovered = asCount(r->elements[1]) == 1;
         h.events.reserve(r->elements.size() - 2);
         for (std::size_t i = 2; i < r->elements.size(); ++i)
           h.events.push_back(std::make_shared<const std::string>(std::move(r->elements[i].str)));
         done(std::move(h));
       });
}

void RedisEngine::likesTick(std::vector<RoomCount> deltas, std::vector<std::string> rooms,
                            Done<std::vector<RoomCount>> done) {
  if (!started_.load() || stopped_.load()) return done(closedError());
  if (!admit())
    return failLater(std::move(done), makeError("chat.engine_overloaded", "too many fan-out calls queued"));
  std::vector<std::string> keys, args;
  args.push_back(std::to_string(deltas.size()));
  for (const auto& d : deltas) {
    keys.push_back(key(d.room, "likes"));
    args.push_back(std::to_string(d.count));
  }
  for (const auto& room : rooms) keys.push_back(key(room, "likes"));
  eval(scripts::kLikesTick, std::move(keys), std::move(args),
       [rooms = std::move(rooms), done = std::move(done)](Reply r) {
         if (!r) return done(r.error());
         std::vector<RoomCount> totals;
         totals.reserve(rooms.size());
         for (std::size_t i = 0; i < rooms.size(); ++i)
           totals.push_back({rooms[i], i < r->elements.size() ? asCount(r->elements[i]) : 0});
         done(std::move(totals));
       });
}

void RedisEngine::viewersTick(std::vector<RoomCount> local, Done<std::vector<RoomCount>> done) {
  if (!started_.load() || stopped_.load()) return done(closedError());
  if (!admit())
    return failLater(std::move(done), makeError("chat.engine_overloaded", "too many fan-out calls queued"));
  std::vector<std::string> keys, args{node_, std::to_string(options_.viewersTtl.count())};
  for (const auto& c : local) {
    keys.push_back(key(c.room, "viewers"));
    args.push_back(std::to_string(c.count));
  }
  std::vector<std::string> rooms;
  for (auto& c : local) rooms.push_back(std::move(c.room));
  eval(scripts::kViewersTick, std::move(keys), std::move(args),
       [rooms = std::move(rooms), done = std::move(done)](Reply r) {
         if (!r) return done(r.error());
         std::vector<RoomCount> sums;
         for (std::size_t i = 0; i < rooms.size(); ++i)
           sums.push_back({rooms[i], i < r->elements.size() ? asCount(r->elements[i]) : 0});
         done(std::move(sums));
       });
}

void RedisEngine::setState(EngineState s) {
  if (state_.exchange(s) == s) return;
  if (s == EngineState::Connected) {
    { std::lock_guard lock(mu_); }  // start() is either before its check or waiting
    firstReady_.notify_all();
  }
  if (handlers_.onState) handlers_.onState(s);
}

void RedisEngine::onReady(bool up) {
  {
    std::lock_guard lock(mu_);
    busReady_ = up;
    if (!up) {
      for (auto& [name, room] : rooms_) room.confirmed = false;
      if (everConnected_) resyncPending_ = true;
    }
  }
  if (!up) {
    if (state_.load() == EngineState::Connected)
      logger()->warn("[node={}] lost Redis at {}; fan-out paused until it is back", node_, url_);
    setState(EngineState::Reconnecting);
    return;
  }
  tryFinishResync();
}

void RedisEngine::tryFinishResync() {
  std::vector<std::string> keys, floors;
  bool seed = false;
  {
    std::lock_guard lock(mu_);
    if (!busReady_ || seeding_ || state_.load() == EngineState::Connected) return;
    for (const auto& [name, room] : rooms_)
      if (!room.confirmed) return;
    everConnected_ = true;
    if (!resyncPending_) {
      // First connection: nothing was missed.
    } else {
      resyncPending_ = false;
      seeding_ = seed = true;
      for (const auto& [name, room] : rooms_) {
        keys.push_back(key(name, "id"));
        floors.push_back(std::to_string(room.maxSeen));
      }
    }
  }
  if (!seed) {
    setState(EngineState::Connected);
    return;
  }
  pending_.fetch_add(1);
  eval(scripts::kSeedIds, std::move(keys), std::move(floors), [this](Reply r) {
    {
      std::lock_guard lock(mu_);
      seeding_ = false;
      if (!r) resyncPending_ = true;  // lost again: the next reconnect tries again
    }
    if (!r) {
      logger()->warn("[node={}] resubscribed but could not seed room ids: {}", node_, r.error().message);
      return;
    }
    logger()->info("[node={}] Redis back at {}; every room subscribed again", node_, url_);
    setState(EngineState::Connected);
    if (handlers_.onResubscribed) handlers_.onResubscribed();
  });
}

}  // namespace hub::chat::fanout
