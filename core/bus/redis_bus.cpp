// core/bus/redis_bus.cpp
//
// The loop thread of the Redis engine: requests come in through the Mailbox (woken with
// uv_async_send), replies and messages come back through hiredis callbacks. The channel table
// mirrors what the server knows (Channel::Remote) because hiredis 0.14 keeps one callback per
// channel and drops it on an UNSUBSCRIBE reply: a channel wanted again while its UNSUBSCRIBE is
// in flight is subscribed again only after that reply, or its messages would go nowhere.
#include "core/bus/redis_bus.h"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <exception>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "core/log/log.h"
#include "core/loop/thread_name.h"

namespace hub::bus {
namespace {

const auto& logger() {
  static const auto log = log::get("core.bus");
  return log;
}

constexpr std::size_t kSubscribeBatch = 512;  // channels per SUBSCRIBE after a reconnect
constexpr uint64_t kStillDownLogMs = 60'000;  // while down, remind at most once a minute

}  // namespace

struct RedisBus::PendingCommand {
  std::vector<std::string> argv;
  CommandCallback done;

  void finish(Result<RedisReply> result) {
    try {
      if (done) done(std::move(result));
    } catch (const std::exception& e) {
      logger()->error("redis command callback threw: {}", e.what());
    } catch (...) {
      logger()->error("redis command callback threw a non-exception");
    }
  }
};

Result<std::unique_ptr<RedisBus>> RedisBus::start(RedisEndpoint endpoint, const Options& options) {
  auto bus = std::make_unique<RedisBus>(Key{}, std::move(endpoint), options);
  if (auto st = bus->init(); !st) return st.error().wrap("redis bus");
  return bus;
}

RedisBus::RedisBus(Key, RedisEndpoint endpoint, const Options& options)
    : endpoint_(std::move(endpoint)),
      options_(options),
      probeChannel_("__hub.bus.probe"),
      metrics_(options.metrics, "redis") {}

Status RedisBus::init() {
  if (int rc = uv_loop_init(&loop_); rc != 0)
    return makeError("bus.start", std::string("uv_loop_init: ") + uv_strerror(rc));
  loopInit_ = true;
  if (int rc = uv_async_init(&loop_, &wake_, onWake); rc != 0)
    return makeError("bus.start", std::string("uv_async_init: ") + uv_strerror(rc));
  wake_.data = this;
  metrics_.up().set(0);
  mailbox_ = std::make_shared<Mailbox>(options_.maxPending, [this] { uv_async_send(&wake_); });

  const RedisConnection::Settings settings{options_.pingInterval, options_.pingTimeout,
                                           options_.connectTimeout, options_.reconnectMin,
                                           options_.reconnectMax};
  sub_ = std::make_unique<RedisConnection>(
      &loop_, "sub", endpoint_, settings,
      RedisConnection::Hooks{
          [this](redisAsyncContext* ac) { onSubUp(ac); },
          [this](const std::string& why) {
            onSubDown();
            onConnectionChange(why);
          },
          // SUBSCRIBE is answered in subscriber mode (a PING reply there never reaches its
          // callback in hiredis 0.14); the reply for the probe channel calls pong().
          [this](redisAsyncContext*) { return sendSubscribe({&probeChannel_}, "SUBSCRIBE"); }});
  cmd_ = std::make_unique<RedisConnection>(
      &loop_, "cmd", endpoint_, settings,
      RedisConnection::Hooks{[this](redisAsyncContext* ac) {
                               // Pub/sub ignores the database; SELECT matters for command() only. Pipelined,
                               // so it is ahead of every later command on this connection.
                               if (endpoint_.db != 0)
                                 redisAsyncCommand(ac, nullptr, nullptr, "SELECT %d", endpoint_.db);
                               if (cmd_->ups() > 1) metrics_.reconnects().inc();
                               cmdUp_.store(true);
                               onConnectionChange({});
                             },
                             [this](const std::string& why) {
                               cmdUp_.store(false);
                               onConnectionChange(why);
                             },
                             [this](redisAsyncContext* ac) {
                               return redisAsyncCommand(ac, onPingReply, cmd_.get(), "PING") == REDIS_OK;
                             }});
  thread_ = hub::loop::namedThread("hub-redis", [this] { run(); });
  return {};
}

RedisBus::~RedisBus() {
  if (thread_.joinable()) {
    mailbox_->close();  // wakes the loop one last time; nothing touches wake_ after this
    thread_.join();
  } else if (loopInit_) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&wake_)) && wake_.data)
      uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
}

void RedisBus::run() {
  // hiredis writes with write(2): to a peer that just died that raises SIGPIPE, which kills the
  // process by default. Blocked in this thread only, the write fails with EPIPE instead and the
  // connection is dropped and retried like any other error.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  sub_->start();
  cmd_->start();
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once shutdown() closed every handle
  if (int rc = uv_loop_close(&loop_); rc != 0)
    logger()->error("[redis={}] loop close: {}", endpoint_.url(), uv_strerror(rc));
  loopInit_ = false;
}

void RedisBus::onWake(uv_async_t* handle) { static_cast<RedisBus*>(handle->data)->drain(); }

void RedisBus::drain() {
  if (shutDown_) return;
  // Read closed() first: take() after it then holds the very last requests.
  const bool closing = mailbox_->closed();
  auto ops = mailbox_->take();
  for (auto& op : ops) handle(op);
  if (closing) shutdown();
}

void RedisBus::shutdown() {
  shutDown_ = true;
  sub_->close();  // pending callbacks run now with null replies, while everything is alive
  cmd_->close();
  subUp_.store(false);
  cmdUp_.store(false);
  metrics_.up().set(0);
  for (auto& [name, channel] : channels_)
    for (auto& s : channel.subs) s->confirmed.store(false);
  channels_.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
}

void RedisBus::handle(Op& op) {
  switch (op.kind) {
    case Op::Kind::Publish:
      sendPublish(op);
      break;
    case Op::Kind::Subscribe:
      addSubscriber(std::move(op.sub));
      break;
    case Op::Kind::Unsubscribe:
      removeSubscriber(op.sub);
      break;
    case Op::Kind::Call:
      if (op.call) op.call();
      break;
  }
}

Status RedisBus::publish(std::string_view channel, std::string_view payload) {
  if (!cmdUp_.load()) {
    metrics_.dropped().inc();
    return makeError("bus.unavailable", "redis " + endpoint_.url() + " is not connected");
  }
  auto status = mailbox_->publish(channel, payload);
  if (!status) metrics_.dropped().inc();
  return status;
}

void RedisBus::sendPublish(Op& op) {
  redisAsyncContext* ac = cmd_->context();
  if (ac && redisAsyncCommand(ac, onPublishReply, this, "PUBLISH %b %b", op.channel.data(), op.channel.size(),
                              op.payload.data(), op.payload.size()) == REDIS_OK)
    return;
  metrics_.dropped().inc();  // went down between publish() and now: at most once
  mailbox_->publishDone();
}

void RedisBus::onPublishReply(redisAsyncContext*, void* r, void* privdata) {
  auto* self = static_cast<RedisBus*>(privdata);
  auto* reply = static_cast<redisReply*>(r);
  self->mailbox_->publishDone();
  if (reply && reply->type != REDIS_REPLY_ERROR) {
    self->metrics_.published().inc();
    return;
  }
  self->metrics_.dropped().inc();
  if (reply) logger()->warn("[redis={}] PUBLISH failed: {}", self->endpoint_.url(), reply->str);
}

void RedisBus::onPingReply(redisAsyncContext*, void* r, void* privdata) {
  if (r) static_cast<RedisConnection*>(privdata)->pong();
}

void RedisBus::command(std::vector<std::string> argv, CommandCallback done) {
  auto pending = std::make_shared<PendingCommand>(PendingCommand{std::move(argv), std::move(done)});
  Op op{Op::Kind::Call, {}, {}, nullptr, [this, pending] {
          sendCommand(std::make_unique<PendingCommand>(std::move(*pending)));
        }};
  if (!mailbox_->post(std::move(op)))
    pending->finish(makeError("bus.closed", "bus is shutting down"));  // caller's thread
}

bool RedisBus::post(std::function<void()> fn) {
  return mailbox_->post(Op{Op::Kind::Call, {}, {}, nullptr, std::move(fn)});
}

void RedisBus::watchReady(std::function<void(bool)> fn) {
  post([this, fn = std::move(fn)]() mutable {
    readyWatcher_ = std::move(fn);
    reportedReady_ = ready();
    if (readyWatcher_) readyWatcher_(reportedReady_);
  });
}

void RedisBus::sendCommand(std::unique_ptr<PendingCommand> pending) {
  redisAsyncContext* ac = cmd_->context();
  if (!ac || pending->argv.empty())
    return pending->finish(
        makeError(ac ? "bus.bad_command" : "bus.unavailable",
                  ac ? "empty command" : "redis " + endpoint_.url() + " is not connected"));
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : pending->argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  // hiredis owns the request until onCommandReply adopts it back (always called exactly once).
  auto* raw = pending.get();
  if (redisAsyncCommandArgv(ac, onCommandReply, raw, static_cast<int>(args.size()), args.data(),
                            lens.data()) != REDIS_OK)
    return pending->finish(makeError("bus.unavailable", "redis connection is closing"));
  static_cast<void>(pending.release());
}

void RedisBus::onCommandReply(redisAsyncContext*, void* r, void* privdata) {
  std::unique_ptr<PendingCommand> pending(static_cast<PendingCommand*>(privdata));
  auto* reply = static_cast<redisReply*>(r);
  if (!reply) return pending->finish(makeError("bus.connection_lost", "no reply: connection lost"));
  if (reply->type == REDIS_REPLY_ERROR)
    return pending->finish(makeError("redis.error", std::string(reply->str, reply->len)));
  pending->finish(RedisReply::from(*reply));
}

Subscription RedisBus::subscribe(std::string channel, Handler handler) {
  return subscribe(std::move(channel), std::move(handler), {});
}

Subscription RedisBus::subscribe(std::string channel, Handler handler, std::function<void()> onConfirmed) {
  auto state = std::make_shared<detail::SubscriptionState>(
      std::move(channel), std::move(handler), thread_.get_id(),
      std::weak_ptr<detail::SubscriptionOwner>(mailbox_), std::move(onConfirmed));
  if (!mailbox_->post(Op{Op::Kind::Subscribe, state->channel, {}, state, {}})) state->active.store(false);
  return Subscription(std::move(state));
}

void RedisBus::addSubscriber(std::shared_ptr<detail::SubscriptionState> state) {
  auto& channel = channels_[state->channel];
  channel.subs.push_back(state);
  if (channel.remote == Channel::Remote::Subscribed) {
    state->confirm();
  } else if (channel.remote == Channel::Remote::None) {
    if (sendSubscribe({&state->channel}, "SUBSCRIBE")) channel.remote = Channel::Remote::Subscribing;
  }  // Subscribing: the reply confirms; Unsubscribing: subscribed again when that reply comes
}

void RedisBus::removeSubscriber(const std::shared_ptr<detail::SubscriptionState>& state) {
  state->confirmed.store(false);
  auto it = channels_.find(state->channel);
  if (it == channels_.end()) return;
  auto& subs = it->second.subs;
  subs.erase(std::remove(subs.begin(), subs.end(), state), subs.end());
  if (!subs.empty()) return;
  switch (it->second.remote) {
    case Channel::Remote::None:
      channels_.erase(it);
      break;
    case Channel::Remote::Subscribing:
    case Channel::Remote::Subscribed:
      if (sendSubscribe({&it->first}, "UNSUBSCRIBE"))
        it->second.remote = Channel::Remote::Unsubscribing;
      else
        channels_.erase(it);
      break;
    case Channel::Remote::Unsubscribing:
      break;
  }
}

bool RedisBus::sendSubscribe(const std::vector<const std::string*>& channels, const char* verb) {
  redisAsyncContext* ac = sub_->context();
  if (!ac) return false;
  std::vector<const char*> args{verb};
  std::vector<size_t> lens{std::char_traits<char>::length(verb)};
  for (const auto* c : channels) {
    args.push_back(c->data());
    lens.push_back(c->size());
  }
  return redisAsyncCommandArgv(ac, onSubReply, this, static_cast<int>(args.size()), args.data(),
                               lens.data()) == REDIS_OK;
}

void RedisBus::onSubUp(redisAsyncContext*) {
  // The probe channel first: it puts the connection in subscriber mode, which hiredis requires
  // before it lets an UNSUBSCRIBE through.
  sendSubscribe({&probeChannel_}, "SUBSCRIBE");
  std::vector<const std::string*> batch;
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (it->second.subs.empty()) {
      it = channels_.erase(it);
      continue;
    }
    it->second.remote = Channel::Remote::Subscribing;
    batch.push_back(&it->first);
    if (batch.size() == kSubscribeBatch) {
      sendSubscribe(batch, "SUBSCRIBE");
      batch.clear();
    }
    ++it;
  }
  if (!batch.empty()) sendSubscribe(batch, "SUBSCRIBE");
  if (sub_->ups() > 1) metrics_.reconnects().inc();
  subUp_.store(true);
  onConnectionChange({});
}

void RedisBus::onSubDown() {
  subUp_.store(false);
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (it->second.subs.empty()) {
      it = channels_.erase(it);
      continue;
    }
    it->second.remote = Channel::Remote::None;
    for (auto& s : it->second.subs) s->confirmed.store(false);
    ++it;
  }
}

void RedisBus::onConnectionChange(const std::string& why) {
  if (shutDown_) return;
  const bool up = sub_->up() && cmd_->up();
  if (readyWatcher_ && up != reportedReady_) {
    reportedReady_ = up;
    readyWatcher_(up);
  }
  const uint64_t now = uv_now(&loop_);
  metrics_.up().set(up ? 1 : 0);
  if (up && !wasUp_) {
    if (loggedDown_)
      logger()->info("[redis={}] bus up again after {} ms", endpoint_.url(), now - downSince_);
    else
      logger()->info("[redis={}] bus connected", endpoint_.url());
    wasUp_ = true;
    loggedDown_ = false;
  } else if (!up && wasUp_) {
    wasUp_ = false;
    loggedDown_ = true;
    downSince_ = lastDownLog_ = now;
    logger()->warn("[redis={}] bus down: {}; reconnecting in the background", endpoint_.url(), why);
  } else if (!up && !why.empty()) {
    // One more failed attempt: say so once, then at most once a minute.
    if (!loggedDown_) {
      loggedDown_ = true;
      downSince_ = lastDownLog_ = now;
      logger()->warn("[redis={}] cannot reach Redis: {}; retrying in the background", endpoint_.url(), why);
    } else if (now - lastDownLog_ >= kStillDownLogMs) {
      lastDownLog_ = now;
      logger()->warn("[redis={}] still down after {} s: {}", endpoint_.url(), (now - downSince_) / 1000, why);
    }
  }
}

void RedisBus::onSubReply(redisAsyncContext*, void* r, void* privdata) {
  auto* reply = static_cast<redisReply*>(r);
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;  // null: freeing
  auto str = [reply](std::size_t i) {
    const redisReply* e = reply->element[i];
    return e && e->type == REDIS_REPLY_STRING ? std::string_view(e->str, e->len) : std::string_view();
  };
  static_cast<RedisBus*>(privdata)->onChannelEvent(str(0), str(1), str(2));
}

void RedisBus::onChannelEvent(std::string_view kind, std::string_view name, std::string_view payload) {
  if (kind == "subscribe" && name == probeChannel_) {
    sub_->pong();
    return;
  }
  auto it = channels_.find(name);
  if (it == channels_.end()) return;
  Channel& channel = it->second;
  if (kind == "message") {
    if (channel.subs.empty()) return;
    metrics_.received().inc();
    // Changes to channels_ arrive only through the mailbox, never during this walk.
    for (std::size_t i = 0; i < channel.subs.size(); ++i) {
      auto keep = channel.subs[i];  // the handler may drop the last outside reference
      keep->deliver(name, payload);
    }
  } else if (kind == "subscribe") {
    if (channel.remote != Channel::Remote::Subscribing) return;
    channel.remote = Channel::Remote::Subscribed;
    for (std::size_t i = 0; i < channel.subs.size(); ++i) {
      auto keep = channel.subs[i];  // the callback may drop the last outside reference
      keep->confirm();
    }
  } else if (kind == "unsubscribe") {
    if (channel.remote != Channel::Remote::Unsubscribing) return;
    if (channel.subs.empty()) {
      channels_.erase(it);
    } else if (sendSubscribe({&it->first}, "SUBSCRIBE")) {
      channel.remote = Channel::Remote::Subscribing;
    } else {
      channel.remote = Channel::Remote::None;
    }
  }
}

}  // namespace hub::bus
