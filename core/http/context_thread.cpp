// core/http/context_thread.cpp
//
// Thread life, the lws context, the mailbox and the callback switch. Nothing may throw out of
// an lws callback: the switch catches everything and closes only the connection at fault.
#include "core/http/context_thread.h"

#include <unistd.h>

#include <algorithm>
#include <future>

#include "core/log/log.h"
#include "core/loop/thread_name.h"

namespace hub::http {

namespace {

const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}

// One protocol serves HTTP and WebSocket upgrades alike; connection state lives in our map.
const lws_protocols kProtocols[] = {
    {"hub", &ContextThread::callback, 0, 16 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

}  // namespace

ContextThread::ContextThread(ServerCore& core, unsigned index, bool ipv6)
    : core_(core), index_(index), ipv6_(ipv6) {
  scratch_.resize(LWS_PRE + 64 * 1024);
}

ContextThread::~ContextThread() { exitAndJoin(); }

Status ContextThread::start() {
  std::promise<bool> ready;
  auto readyFuture = ready.get_future();
  thread_ = std::thread([this, &ready] {
    hub::loop::setThreadName("hub-http-" + std::to_string(index_));
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = kProtocols;
    info.user = this;
    // lws must never bind [::] by itself; with IPv4 sockets it needs no IPv6 code at all.
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (!ipv6_) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.server_string = "hub";
    // lws reads HTTP into this per-loop buffer (4 KiB by default). A TLS record carries up to
    // 16 KiB, and what a read leaves of it inside OpenSSL raises no epoll event: it waits for
    // lws' forced service (LwsLoop::runOnce, after the pass). A buffer that holds a whole record
    // leaves nothing behind (WebSockets read into their protocol's 16 KiB buffer, also a whole
    // record).
    info.pt_serv_buf_size = 32 * 1024;
    if (!core_.options.tlsCert.empty()) {
      info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
      info.ssl_cert_filepath = core_.options.tlsCert.c_str();
      info.ssl_private_key_filepath = core_.options.tlsKey.c_str();
    }
    info.timeout_secs = static_cast<unsigned>(core_.options.headerTimeout.count());
    info.keepalive_timeout = static_cast<int>(core_.options.idleTimeout.count());
    info.max_http_header_data =
        static_cast<unsigned short>(std::min<std::size_t>(core_.options.maxHeaderBytes, 65535));
    // One header table per connection waiting for headers: a pool smaller than the number of
    // slow clients would make fast clients queue behind them.
    info.max_http_header_pool =
        static_cast<unsigned short>(std::min<std::size_t>(core_.options.maxConnections, 65535));
    loop_.setTimerCallback([this] { onCoalesceTimer(); });
    context_ = loop_.create(info, core_.options.epollLoop);
    if (!context_) {
      ready.set_value(false);
      return;
    }
    vhost_ = lws_get_vhost_by_name(context_, "default");
    if (!uring_.open(1024))
      logger()->info("loop {}: io_uring unavailable, WebSocket frames are sent one by one", index_);
    mailbox_->attach(context_);
    ready.set_value(true);
    run();
  });
  if (!readyFuture.get()) {
    thread_.join();
    markDrained();  // it never ran: a stop() must not wait out the drain timeout for it
    return makeError("http.start", "lws context " + std::to_string(index_) + " failed to start");
  }
  return {};
}

void ContextThread::run() {
  // See ServerOptions::maxPollGap: a loop with many WebSockets waits out the gap before it
  // waits for events again, so one pass serves every frame that arrived meanwhile.
  const auto perConn = core_.options.pollGapPerConnection;
  const auto maxGap = std::chrono::duration_cast<std::chrono::nanoseconds>(core_.options.maxPollGap);
  auto lastPoll = std::chrono::steady_clock::time_point{};
  while (!exit_) {
    // Between two chunks of a write pass the loop only serves what is ready, without the gap.
    const bool flushing = !flushing_.empty();
    if (!flushing && perConn.count() > 0 && maxGap.count() > 0) {
      const auto gap = std::min(maxGap, perConn * static_cast<std::int64_t>(wsOpen_));
      if (std::chrono::steady_clock::now() < lastPoll + gap) std::this_thread::sleep_until(lastPoll + gap);
    }
    // The gap counts from the start of a wait: a wake-up after a long idle wait sleeps not at all.
    if (!flushing) lastPoll = std::chrono::steady_clock::now();
    if (!loop_.runOnce(!flushing)) break;
    if (!flushing_.empty()) continueFlush();
  }
  // Sockets still queued for adoption are closed here; then lws closes the rest.
  for (auto& item : mailbox_->detach())
    if (item.kind == Mailbox::Item::Kind::Adopt && item.fd >= 0) dropFd(item.fd);
  loop_.destroy();  // lws closes what is left, through our callbacks
  context_ = nullptr;
  while (!conns_.empty()) forget(conns_.begin()->first);
  markDrained();
}

void ContextThread::adopt(int fd) {
  load_.fetch_add(1, std::memory_order_relaxed);
  if (!mailbox_->post(Mailbox::Item{Mailbox::Item::Kind::Adopt, 0, 0, fd, {}}))
    dropFd(-1);  // post() already closed it
}

void ContextThread::dropFd(int fd) {
  if (fd >= 0) ::close(fd);
  load_.fetch_sub(1, std::memory_order_relaxed);
  core_.connections.fetch_sub(1, std::memory_order_relaxed);
}

void ContextThread::beginDrain() {
  (void)mailbox_->post(Mailbox::Item{Mailbox::Item::Kind::Drain, 0, 0, -1, {}});
}

bool ContextThread::waitDrained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(drainMu_);
  return drainCv_.wait_until(lock, deadline, [&] { return drained_; });
}

void ContextThread::exitAndJoin() {
  if (!thread_.joinable()) return;
  (void)mailbox_->post(Mailbox::Item{Mailbox::Item::Kind::Exit, 0, 0, -1, {}});
  thread_.join();
}

int ContextThread::callback(lws* wsi, lws_callback_reasons reason, void*, void* in, std::size_t len) {
  auto* self = static_cast<ContextThread*>(lws_context_user(lws_get_context(wsi)));
  if (!self) return 0;
  try {
    return self->dispatchCallback(wsi, reason, in, len);
  } catch (const std::exception& e) {
    logger()->error("lws callback {}: {}; closing the connection", static_cast<int>(reason), e.what());
  } catch (...) {
    logger()->error("lws callback {}: unknown exception; closing the connection", static_cast<int>(reason));
  }
  return -1;
}

// LWS_CALLBACK_HTTP_CONFIRM_UPGRADE is deliberately absent (CVE-2025-11677 in lws 4.1.6):
// the Origin of an upgrade is checked in FILTER_PROTOCOL_CONNECTION instead.
int ContextThread::dispatchCallback(lws* wsi, lws_callback_reasons reason, void* in, std::size_t len) {
  const char* data = static_cast<const char*>(in);
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      processMailbox();
      return 0;
    case LWS_CALLBACK_HTTP:
      return onHttp(getOrCreate(wsi), data);
    case LWS_CALLBACK_HTTP_BODY:
      if (auto* c = find(wsi)) return onHttpBody(*c, data, len);
      return -1;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (auto* c = find(wsi)) return onHttpBodyComplete(*c);
      return -1;
    case LWS_CALLBACK_HTTP_WRITEABLE:
      if (auto* c = find(wsi)) return onHttpWriteable(*c);
      return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      return onWsFilter(getOrCreate(wsi));
    case LWS_CALLBACK_ESTABLISHED:
      if (auto* c = find(wsi)) return onWsEstablished(*c);
      return -1;
    case LWS_CALLBACK_RECEIVE:
      if (auto* c = find(wsi)) return onWsReceive(*c, data, len);
      return -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (auto* c = find(wsi)) return onWsWriteable(*c);
      return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (auto* c = find(wsi); c && len >= 2) {
        const auto* b = static_cast<const unsigned char*>(in);
        c->wsCloseCode = (b[0] << 8) | b[1];
      }
      return 0;
    case LWS_CALLBACK_CLOSED:
      if (auto* c = find(wsi)) onWsClosed(*c);
      return 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_WSI_DESTROY:
      forget(wsi);
      return 0;
    default:
      return 0;
  }
}

void ContextThread::processMailbox() {
  for (auto& item : mailbox_->drain()) {
    switch (item.kind) {
      case Mailbox::Item::Kind::Adopt:
        onAdopt(item.fd);
        break;
      case Mailbox::Item::Kind::Response:
        onAsyncResponse(item.connId, item.seq, std::move(*item.response));
        break;
      case Mailbox::Item::Kind::WsWake:
        wakeWs(item.connId, item.dueUs);
        break;
      case Mailbox::Item::Kind::WsWakes:
        core_.wsWakeDelay.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - item.posted).count());
        wakeWs(std::move(item.connIds), item.dueUs);
        break;
      case Mailbox::Item::Kind::Drain:
        onDrain();
        break;
      case Mailbox::Item::Kind::Exit:
        exit_ = true;
        break;
    }
  }
  submitWsSends();  // the frames of every connection woken in this pass, in one system call
}

void ContextThread::onAdopt(int fd) {
  if (draining_ || !vhost_) {
    dropFd(fd);
    return;
  }
  lws* wsi = lws_adopt_socket_vhost(vhost_, fd);  // closes fd on failure
  if (!wsi) {
    logger()->warn("adopting a connection failed");
    dropFd(-1);
    return;
  }
  getOrCreate(wsi).adopted = true;
  core_.httpConnections.inc();
  // The whole request head must arrive in time: a slowloris client loses only its own socket.
  lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE,
                  static_cast<int>(core_.options.headerTimeout.count()));
}

void ContextThread::onDrain() {
  draining_ = true;
  for (auto& [wsi, c] : conns_) {
    if (c->ws) {
      c->ws->close(1001, "server shutting down");
    } else if (c->phase == Connection::Phase::Idle) {
      lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, LWS_TO_KILL_ASYNC);
    } else {
      c->closeAfter = true;
    }
  }
  checkDrained();
}

void ContextThread::checkDrained() {
  if (draining_ && conns_.empty()) markDrained();
}

void ContextThread::markDrained() {
  std::lock_guard lock(drainMu_);
  drained_ = true;
  drainCv_.notify_all();
}

Connection* ContextThread::find(lws* wsi) {
  auto it = conns_.find(wsi);
  return it == conns_.end() ? nullptr : it->second.get();
}

Connection& ContextThread::getOrCreate(lws* wsi) {
  auto& slot = conns_[wsi];
  if (!slot) {
    slot = std::make_unique<Connection>();
    slot->wsi = wsi;
    slot->id = nextId_++;
    byId_[slot->id] = slot.get();
  }
  return *slot;
}

void ContextThread::forget(lws* wsi) {
  auto it = conns_.find(wsi);
  if (it == conns_.end()) return;
  if (it->second->wsEstablished) onWsClosed(*it->second);
  if (it->second->wsInPass)  // the write pass must not reach it
    std::replace(flushing_.begin() + static_cast<std::ptrdiff_t>(flushAt_), flushing_.end(), it->second.get(),
                 static_cast<Connection*>(nullptr));
  if (it->second->wsPeerCounted) it->second->wsRoute->peers->release(it->second->ws->request().peer);
  bool adopted = it->second->adopted;
  byId_.erase(it->second->id);
  conns_.erase(it);
  if (adopted) {
    core_.httpConnections.dec();
    core_.connections.fetch_sub(1, std::memory_order_relaxed);
    load_.fetch_sub(1, std::memory_order_relaxed);
  }
  checkDrained();
}

}  // namespace hub::http
