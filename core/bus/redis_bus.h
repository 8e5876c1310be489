// core/bus/redis_bus.h
//
// The Redis engine (`redis://host:port[/db]`) for the many-machines shape: every node publishes
// and subscribes through one Redis, so a message published on one node reaches the subscribers
// of every node. All hiredis work happens on the bus's own libuv loop thread, over two
// connections (SUBSCRIBE puts a connection in a mode where it cannot PUBLISH): `sub` carries
// every subscription, `cmd` carries PUBLISH and command(). Both are probed and reconnected by
// RedisConnection; after a reconnect every channel is subscribed again without the caller.
// Handlers and command() callbacks run on the loop thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <uv.h>

#include "core/bus/bus.h"
#include "core/bus/bus_metrics.h"
#include "core/bus/mailbox.h"
#include "core/bus/redis_connection.h"
#include "core/bus/redis_reply.h"

namespace hub::bus {

class RedisBus final : public Bus {
 public:
  using CommandCallback = std::function<void(Result<RedisReply>)>;

  // Lets only start() construct (make_unique needs a public constructor).
  class Key {
    friend class RedisBus;
    Key() = default;
  };

  // Starts the loop thread; the server may be down (the bus then reports !ready()).
  static Result<std::unique_ptr<RedisBus>> start(RedisEndpoint endpoint, const Options& options);
  RedisBus(Key key, RedisEndpoint endpoint, const Options& options);
  ~RedisBus() override;  // drops both connections and joins the loop thread

  Status publish(std::string_view channel, std::string_view payload) override;
  Subscription subscribe(std::string channel, Handler handler) override;
  bool ready() const override { return subUp_.load() && cmdUp_.load(); }
  std::string_view engine() const override { return "redis"; }

  // Sends any command (binary-safe arguments) on the command connection, e.g. INCRBY or EVAL;
  // `done` runs once on the loop thread, with "bus.unavailable" when Redis is down, a
  // "redis.error" for an error reply, "bus.connection_lost" when the reply never came (it may
  // still have run). Only while the bus is being destroyed does `done` run on the caller's
  // thread ("bus.closed").
  void command(std::vector<std::string> argv, CommandCallback done);

  // subscribe() that also runs `onConfirmed` on the loop thread each time the server confirms the
  // subscription: the first time and again after every reconnect (never after reset()).
  [[nodiscard]] Subscription subscribe(std::string channel, Handler handler,
                                       std::function<void()> onConfirmed);
  // Runs `fn` on the loop thread, after everything queued before it; false once shutting down.
  bool post(std::function<void()> fn);
  // Calls `fn(ready())` on the loop thread now, then each time ready() changes.
  void watchReady(std::function<void(bool ready)> fn);

 private:
  // Where one channel stands with the server; `subs` are this process's subscribers.
  struct Channel {
    enum class Remote { None, Subscribing, Subscribed, Unsubscribing };
    std::vector<std::shared_ptr<detail::SubscriptionState>> subs;
    Remote remote = Remote::None;
  };
  struct PendingCommand;

  Status init();
  void run();
  static void onWake(uv_async_t* handle);
  void drain();
  void shutdown();
  void handle(Op& op);
  void sendPublish(Op& op);
  void sendCommand(std::unique_ptr<PendingCommand> pending);
  void addSubscriber(std::shared_ptr<detail::SubscriptionState> state);
  void removeSubscriber(const std::shared_ptr<detail::SubscriptionState>& state);
  bool sendSubscribe(const std::vector<const std::string*>& channels, const char* verb);

  void onSubUp(redisAsyncContext* ac);
  void onSubDown();
  void onConnectionChange(const std::string& why);
  static void onSubReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void onPublishReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void onCommandReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void onPingReply(redisAsyncContext* ac, void* reply, void* privdata);
  void onChannelEvent(std::string_view kind, std::string_view channel, std::string_view payload);

  const RedisEndpoint endpoint_;
  const Options options_;
  const std::string probeChannel_;
  BusMetrics metrics_;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  std::shared_ptr<Mailbox> mailbox_;
  std::unique_ptr<RedisConnection> sub_;  // loop thread only, like everything below
  std::unique_ptr<RedisConnection> cmd_;
  std::map<std::string, Channel, std::less<>> channels_;
  bool wasUp_ = false;
  bool everUp_ = false;
  uint64_t downSince_ = 0;
  uint64_t lastDownLog_ = 0;
  std::atomic<bool> subUp_{false};
  std::atomic<bool> cmdUp_{false};
  bool loopInit_ = false;
  bool shutDown_ = false;
  bool loggedDown_ = false;
  std::function<void(bool)> readyWatcher_;  // loop thread
  bool reportedReady_ = false;
  std::thread thread_;
};

}  // namespace hub::bus
