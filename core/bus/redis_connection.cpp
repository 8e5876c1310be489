// core/bus/redis_connection.cpp
//
// The connection state machine: Down -(retry timer)-> Connecting -(connect cb)-> Up, and back to
// Down on a failed connect, a lost socket, a connect timeout or an unanswered probe. hiredis
// calls back with a const context whose `data` points here; a context we already let go of
// (ac_ no longer points at it) is ignored, which makes drop() and close() safe to race with
// hiredis' own disconnect notification.
#include "core/bus/redis_connection.h"

#include <algorithm>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "core/bus/redis_uv_adapter.h"
#include "core/log/log.h"

namespace hub::bus {
namespace {

const auto& logger() {
  static const auto log = log::get("core.bus");
  return log;
}

}  // namespace

std::string RedisEndpoint::url() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + h + ":" + std::to_string(port) + (db ? "/" + std::to_string(db) : "");
}

RedisConnection::RedisConnection(uv_loop_t* loop, std::string role, RedisEndpoint endpoint, Settings settings,
                                 Hooks hooks)
    : loop_(loop),
      role_(std::move(role)),
      endpoint_(std::move(endpoint)),
      settings_(settings),
      hooks_(std::move(hooks)),
      backoff_(settings.reconnectMin),
      rng_(std::random_device{}()) {
  uv_timer_init(loop_, &tickTimer_);
  uv_timer_init(loop_, &retryTimer_);
  tickTimer_.data = this;
  retryTimer_.data = this;
}

RedisConnection::~RedisConnection() = default;  // close() has run: nothing left to free

void RedisConnection::start() {
  auto shortest = std::min({settings_.pingInterval, settings_.pingTimeout, settings_.connectTimeout});
  tickMs_ = static_cast<uint64_t>(std::max<std::chrono::milliseconds::rep>(10, shortest.count() / 4));
  lastTick_ = uv_now(loop_);
  uv_timer_start(&tickTimer_, onTick, tickMs_, tickMs_);
  connect();
}

void RedisConnection::close() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  if (ac_) {
    auto* ac = ac_;
    ac_ = nullptr;
    redisAsyncFree(ac);  // runs pending callbacks with a null reply; onDisconnect is ignored
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tickTimer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&retryTimer_), nullptr);
}

void RedisConnection::connect() {
  if (state_ == State::Closed) return;
  redisAsyncContext* ac = redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!ac) return fail("out of memory");
  if (ac->err) {
    std::string why = ac->errstr;
    redisAsyncFree(ac);
    return fail(why);
  }
  if (attachToLoop(ac, loop_) != REDIS_OK) {
    redisAsyncFree(ac);
    return fail("cannot attach to the event loop");
  }
  ac->data = this;
  // The connect callback arms the first write event, so it must come after attaching.
  redisAsyncSetConnectCallback(ac, onConnect);
  redisAsyncSetDisconnectCallback(ac, onDisconnect);
  ac_ = ac;
  state_ = State::Connecting;
  since_ = uv_now(loop_);
}

void RedisConnection::onConnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (!self || self->ac_ != ac) return;
  if (status != REDIS_OK) {
    std::string why = ac->errstr;
    self->ac_ = nullptr;  // hiredis frees the context after this callback
    return self->fail(why);
  }
  self->state_ = State::Up;
  ++self->ups_;
  self->backoff_ = self->settings_.reconnectMin;
  self->probeOutstanding_ = false;
  self->lastProbe_ = uv_now(self->loop_);
  logger()->debug("[redis={} conn={}] connected", self->endpoint_.url(), self->role_);
  if (self->hooks_.onUp) self->hooks_.onUp(self->ac_);
}

void RedisConnection::onDisconnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (!self || self->ac_ != ac) return;
  std::string why = status == REDIS_OK ? "connection closed" : ac->errstr;
  self->ac_ = nullptr;  // hiredis frees the context after this callback
  self->fail(why);
}

void RedisConnection::drop(const std::string& why) {
  if (state_ == State::Closed || !ac_) return;
  auto* ac = ac_;
  ac_ = nullptr;
  // Deferred by hiredis when called from one of this context's own callbacks.
  redisAsyncFree(ac);
  fail(why);
}

void RedisConnection::fail(const std::string& why) {
  if (state_ == State::Closed) return;
  state_ = State::Down;
  probeOutstanding_ = false;
  logger()->debug("[redis={} conn={}] down: {}", endpoint_.url(), role_, why);
  if (hooks_.onDown) hooks_.onDown(why);
  // Jitter (±20 %) keeps many nodes from reconnecting in lockstep after a Redis restart.
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  auto delay = static_cast<uint64_t>(static_cast<double>(backoff_.count()) * jitter(rng_));
  backoff_ = std::min(backoff_ * 2, settings_.reconnectMax);
  uv_timer_start(&retryTimer_, onRetry, std::max<uint64_t>(delay, 1), 0);
}

void RedisConnection::pong() { probeOutstanding_ = false; }

void RedisConnection::onRetry(uv_timer_t* timer) {
  auto* self = static_cast<RedisConnection*>(timer->data);
  if (self->state_ == State::Down) self->connect();
}

void RedisConnection::onTick(uv_timer_t* timer) { static_cast<RedisConnection*>(timer->data)->tick(); }

void RedisConnection::tick() {
  const uint64_t now = uv_now(loop_);
  // A slow handler stalls the whole loop; a reply may then sit unread in the socket. Time the
  // loop itself lost is not the server's fault: move the deadlines by it.
  if (now - lastTick_ > 2 * tickMs_) {
    const uint64_t lost = now - lastTick_ - tickMs_;
    since_ += lost;
    lastProbe_ += lost;
  }
  lastTick_ = now;
  auto ms = [](std::chrono::milliseconds d) { return static_cast<uint64_t>(d.count()); };
  if (state_ == State::Connecting && now - since_ > ms(settings_.connectTimeout)) {
    drop("connect timed out after " + std::to_string(settings_.connectTimeout.count()) + " ms");
  } else if (state_ == State::Up) {
    if (probeOutstanding_) {
      if (now - lastProbe_ > ms(settings_.pingTimeout))
        drop("no reply to ping within " + std::to_string(settings_.pingTimeout.count()) + " ms");
    } else if (now - lastProbe_ >= ms(settings_.pingInterval)) {
      lastProbe_ = now;
      if (hooks_.sendProbe && hooks_.sendProbe(ac_))
        probeOutstanding_ = true;
      else
        drop("cannot send ping");
    }
  }
}

}  // namespace hub::bus
