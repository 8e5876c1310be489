// core/http/context_thread.h
//
// One event loop: an lws context created with CONTEXT_PORT_NO_LISTEN_SERVER on a libev loop the
// thread owns (epoll; lws' poll() when that cannot start, see lws_loop.h), serviced by its
// own thread (Debian's lws has LWS_MAX_SMP=1). Sockets accepted elsewhere arrive through the
// mailbox and are adopted on this thread; every lws callback for them runs here, so the
// connection map needs no lock. context_thread.cpp holds the thread and mailbox plumbing,
// http_exchange.cpp the HTTP callbacks, ws_session.cpp the WebSocket ones.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <libwebsockets.h>

#include "core/http/connection.h"
#include "core/http/lws_loop.h"
#include "core/http/mailbox.h"
#include "core/http/server_core.h"
#include "core/http/uring_sender.h"
#include "core/util/result.h"

namespace hub::http {

class ContextThread {
 public:
  ContextThread(ServerCore& core, unsigned index, bool ipv6);
  ~ContextThread();
  ContextThread(const ContextThread&) = delete;
  ContextThread& operator=(const ContextThread&) = delete;

  // Creates the context on a new thread; returns once it is serving or failed.
  Status start();
  // Any thread: hand over an accepted socket (closed if the loop is gone).
  void adopt(int fd);
  // Any thread: stop taking requests, close idle keep-alives and WebSockets (1001), let
  // requests in flight finish.
  void beginDrain();
  // Waits until every connection is gone or `deadline`; true when drained.
  bool waitDrained(std::chrono::steady_clock::time_point deadline);
  // Any thread: leave the loop now (remaining connections are closed) and join.
  void exitAndJoin();

  std::size_t load() const { return load_.load(std::memory_order_relaxed); }
  std::uint64_t served() const { return served_.load(std::memory_order_relaxed); }

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

 private:
  void run();
  int dispatchCallback(lws* wsi, lws_callback_reasons reason, void* in, std::size_t len);
  void processMailbox();
  void onAdopt(int fd);
  // Closes a socket that never became a connection and releases its counts.
  void dropFd(int fd);
  void onDrain();
  Connection* find(lws* wsi);
  Connection& getOrCreate(lws* wsi);
  void forget(lws* wsi);
  void checkDrained();
  void markDrained();  // wakes waitDrained(), from any thread

  // http_exchange.cpp
  int onHttp(Connection& c, const char* uri);
  int onHttpBody(Connection& c, const char* in, std::size_t len);
  int onHttpBodyComplete(Connection& c);
  int onHttpWriteable(Connection& c);
  // The body (and headers) straight to the socket; see Connection::direct.
  int writeDirect(Connection& c, std::uint64_t total);
  // After the last byte: metrics, then keep-alive or close.
  int completeExchange(Connection& c);
  void dispatch(Connection& c);
  void respond(Connection& c, Response r);
  void onAsyncResponse(std::uint64_t connId, std::uint64_t seq, Response r);
  void finishMetrics(Connection& c);

  // ws_session.cpp
  int onWsFilter(Connection& c);
  int onWsEstablished(Connection& c);
  int onWsReceive(Connection& c, const char* in, std::size_t len);
  int onWsWriteable(Connection& c);
  // Pops what waits (packed when the route packs) into `buf` from `at` on (the payload only);
  // false when nothing waits.
  bool packWsQueue(Connection& c, std::vector<unsigned char>& buf, std::size_t at, std::size_t& len,
                   bool& binary, bool& more);
  // Pops what waits and writes it; false when the write failed.
  bool writeWsQueue(Connection& c, bool& more);
  // Frames what waits into the loop's send batch (io_uring), written by submitWsSends().
  void queueWsSend(Connection& c);
  // One system call for every frame batched in this pass; the unsent rest of a short send goes
  // through lws, which finishes it on POLLOUT before anything else.
  void submitWsSends();
  // Writes a woken connection's queue now, outside any callback of its own (or asks for
  // WRITEABLE when it is closing or a short send is pending).
  void flushWs(Connection& c);
  void onCoalesceTimer();
  // Puts every held connection whose deadline has come into the write pass (flushing_).
  void writeDue();
  // Writes the next kFlushChunk connections of the pass the coalescing timer started.
  void continueFlush();
  void onWsClosed(Connection& c);
  // dueUs: when the connection must be written (kWriteAtOnce: now); until then it is held.
  void wakeWs(std::uint64_t connId, std::int64_t dueUs);
  // A room event's wake-ups for this loop (WsSendBatch): held ones in one step, with no
  // per-connection lookup until their deadline (the write pass sorts out the gone, the closing
  // and the ones held again for later).
  void wakeWs(std::vector<std::uint64_t> connIds, std::int64_t dueUs);
  // Arms the loop's one coalescing timer unless it already fires by dueUs.
  void armHoldTimer(std::int64_t dueUs);

  ServerCore& core_;
  unsigned index_;
  bool ipv6_;
  std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();
  LwsLoop loop_;
  lws_context* context_ = nullptr;  // loop_'s
  lws_vhost* vhost_ = nullptr;
  std::thread thread_;
  bool exit_ = false;      // loop thread only
  bool draining_ = false;  // loop thread only
  std::uint64_t nextId_ = 1;
  std::unordered_map<lws*, std::unique_ptr<Connection>> conns_;
  std::unordered_map<std::uint64_t, Connection*> byId_;
  std::size_t wsOpen_ = 0;              // established WebSockets: they set the poll gap (ServerOptions)
  std::vector<unsigned char> scratch_;  // LWS_PRE + one write's worth
  std::vector<WsConnection::Outgoing> batch_;  // messages packed into one write
  // WebSocket frames of this pass, sent together by submitWsSends() (one io_uring_enter).
  struct PendingSend {
    std::uint64_t connId;
    int fd;
    std::size_t offset;  // in sendArena_
    std::size_t len;
  };
  UringSender uring_;
  std::vector<PendingSend> sends_;
  std::vector<unsigned char> sendArena_;
  // Held WebSockets by deadline (WsConnection::hold): loop_'s one timer fires at the soonest;
  // each connection is written once its own deadline has come.
  struct Held {
    std::int64_t dueUs;
    std::vector<std::uint64_t> ids;
  };
  std::vector<Held> held_;
  bool timerArmed_ = false;
  std::int64_t timerDueUs_ = 0;
  std::chrono::steady_clock::time_point passStart_;  // when the timer started the write pass
  // The pass the timer started, written kFlushChunk connections at a time on the libev loop,
  // with a pass of the loop (reads, mailbox) between two chunks: a frame that arrives during a
  // big room's write pass is read after one chunk, not after the whole pass.
  static constexpr std::size_t kFlushChunk = 250;
  // Connections, not ids: forget() clears the entry of one that goes during the pass.
  std::vector<Connection*> flushing_;
  std::vector<Connection*> resolved_;  // writeDue's scratch: one held entry's connections
  std::size_t flushAt_ = 0;
  std::unordered_map<unsigned, metrics::Counter*> requestCounters_;  // method*1000 + status
  std::time_t dateSecond_ = 0;                                       // the Date header, cached per second
  std::string dateValue_;
  std::atomic<std::size_t> load_{0};
  std::atomic<std::uint64_t> served_{0};

  std::mutex drainMu_;
  std::condition_variable drainCv_;
  bool drained_ = false;
};

}  // namespace hub::http
