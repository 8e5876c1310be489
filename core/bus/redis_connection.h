// core/bus/redis_connection.h
//
// One hiredis async connection on a libuv loop that stays connected: it connects in the
// background, probes the server every pingInterval (hiredis 0.14 has no async timeouts, so an
// unanswered probe or a stuck TCP connect is our only way to notice a dead peer), drops and
// reconnects with exponential backoff and jitter. Lives on, and is used from, the loop thread.
// The owner says how to probe (PING, or SUBSCRIBE on a subscriber connection) and reacts to
// up/down through hooks.
#pragma once

#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include <uv.h>

#include "core/util/result.h"

struct redisAsyncContext;

namespace hub::bus {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string url() const;
  // "redis://host:port[/db]" (also [v6]:port); what `hub serve` accepts for the bus.
  static Result<RedisEndpoint> parse(std::string_view url);
};

class RedisConnection {
 public:
  struct Settings {
    std::chrono::milliseconds pingInterval;
    std::chrono::milliseconds pingTimeout;
    std::chrono::milliseconds connectTimeout;
    std::chrono::milliseconds reconnectMin;
    std::chrono::milliseconds reconnectMax;
  };
  struct Hooks {
    std::function<void(redisAsyncContext*)> onUp;       // connected: send setup commands
    std::function<void(const std::string&)> onDown;     // lost, or an attempt failed
    std::function<bool(redisAsyncContext*)> sendProbe;  // send one probe; owner calls pong()
  };

  // `role` names the connection in logs ("sub", "cmd"). Call start() on the loop thread.
  RedisConnection(uv_loop_t* loop, std::string role, RedisEndpoint endpoint, Settings settings, Hooks hooks);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void start();
  // Frees the context (pending callbacks run with a null reply) and closes the timers; the
  // loop must run once more before this object may be destroyed.
  void close();
  void pong();                        // the outstanding probe was answered
  void drop(const std::string& why);  // give up on this connection and reconnect
  redisAsyncContext* context() const { return state_ == State::Up ? ac_ : nullptr; }
  bool up() const { return state_ == State::Up; }
  unsigned long ups() const { return ups_; }  // times it came up (1 = first connect)

 private:
  enum class State { Down, Connecting, Up, Closed };
  static void onConnect(const redisAsyncContext* ac, int status);
  static void onDisconnect(const redisAsyncContext* ac, int status);
  static void onTick(uv_timer_t* timer);
  static void onRetry(uv_timer_t* timer);
  void connect();
  void fail(const std::string& why);  // context already gone: mark down, report, schedule retry
  void tick();

  uv_loop_t* loop_;
  std::string role_;
  RedisEndpoint endpoint_;
  Settings settings_;
  Hooks hooks_;
  uv_timer_t tickTimer_{};           // watchdog: connect timeout, probes, probe timeout
  uv_timer_t retryTimer_{};          // backoff delay before the next connect
  redisAsyncContext* ac_ = nullptr;  // owned by hiredis once attached; we free it via drop()
  State state_ = State::Down;
  std::chrono::milliseconds backoff_;
  std::minstd_rand rng_;
  uint64_t since_ = 0;  // uv_now() when connecting started / last probe sent
  bool probeOutstanding_ = false;
  uint64_t lastProbe_ = 0;
  uint64_t lastTick_ = 0;
  uint64_t tickMs_ = 10;
  unsigned long ups_ = 0;
};

}  // namespace hub::bus
