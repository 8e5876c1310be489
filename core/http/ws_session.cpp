// core/http/ws_session.cpp
//
// WebSocket callbacks on a loop thread: the Origin check at the handshake (in
// FILTER_PROTOCOL_CONNECTION, never CONFIRM_UPGRADE), message reassembly with a size limit,
// and the send queue: written straight from the mailbox pass (or the coalescing timer) when
// the socket has nothing pending, else from the WRITEABLE callback. In a pass, the frames of
// every woken plain-TCP connection go out together in one io_uring submission.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/http/context_thread.h"
#include "core/http/lws_request.h"
#include "core/log/log.h"

namespace hub::http {

namespace {
const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}
}  // namespace

int ContextThread::onWsFilter(Connection& c) {
  std::string path = lwsHeader(c.wsi, WSI_TOKEN_GET_URI);
  const WsRoute* route = core_.findWs(path);
  std::string origin = lwsHeader(c.wsi, WSI_TOKEN_ORIGIN);
  if (!route) {
    logger()->info("[peer={}] websocket refused: no endpoint at {}", c.peerAddress(), path);
    return 1;
  }
  if (draining_ || !route->originAllowed(origin)) {
    logger()->info("[peer={}] websocket {} refused: origin '{}' not allowed", c.peerAddress(), path, origin);
    return 1;
  }
  Request upgrade;
  lwsReadRequest(c.wsi, Method::Get, path, c.peerAddress(), core_.options.extraHeaders, upgrade);
  c.wsRoute = route;
  c.ws = std::make_shared<WsConnection>(mailbox_, c.id, std::move(upgrade), route->options.maxQueuedMessages,
                                        route->options.maxQueuedBytes, route->options.overflowCloseCode,
                                        route->options.coalesce);
  // Counted before the 101 goes out, so a client that saw its handshake complete is counted on
  // every loop by the time it opens the next connection.
  if (route->options.maxPerPeer) {
    if (route->peers->acquire(c.ws->request().peer, route->options.maxPerPeer))
      c.wsPeerCounted = true;
    else
      c.wsRefuseCode = route->options.perPeerCloseCode;
  }
  return 0;
}

int ContextThread::onWsEstablished(Connection& c) {
  if (!c.ws || !c.wsRoute) return -1;
  if (c.wsRefuseCode) {
    // Never an application connection: no onOpen, no onClose. The close frame goes out from
    // the WRITEABLE callback, like every close.
    logger()->info(
        "[peer={} conn={}] websocket refused: more than {} connections from this address, "
        "closing {}",
        c.ws->request().peer, c.id, c.wsRoute->options.maxPerPeer, c.wsRefuseCode);
    core_.wsRefused.inc();
    c.ws->close(c.wsRefuseCode, "too many connections from this address");
    lws_callback_on_writable(c.wsi);
    return 0;
  }
  c.wsEstablished = true;
  ++wsOpen_;
  c.wsFd = !lws_is_ssl(c.wsi) && lws_get_network_wsi(c.wsi) == c.wsi ? lws_get_socket_fd(c.wsi) : -1;
  c.phase = Connection::Phase::Idle;
  lws_set_timeout(c.wsi, NO_PENDING_TIMEOUT, 0);
  core_.wsConnections.inc();
  if (c.wsRoute->handlers.onOpen) c.wsRoute->handlers.onOpen(c.ws);
  return 0;
}

int ContextThread::onWsReceive(Connection& c, const char* in, std::size_t len) {
  if (!c.ws || !c.wsRoute) return -1;
  if (lws_is_first_fragment(c.wsi) && c.wsMessage.empty()) c.wsBinary = lws_frame_is_binary(c.wsi) != 0;
  if (c.wsMessage.size() + len > c.wsRoute->options.maxMessageBytes) {
    logger()->info("[peer={} conn={}] websocket message above {} bytes: closing 1009", c.ws->request().peer,
                   c.id, c.wsRoute->options.maxMessageBytes);
    static const char kReason[] = "message too big";
    lws_close_reason(c.wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                     reinterpret_cast<unsigned char*>(const_cast<char*>(kReason)), sizeof kReason - 1);
    c.wsCloseCode = 1009;
    return -1;
  }
  c.wsMessage.append(in, len);
  if (!lws_is_final_fragment(c.wsi) || lws_remaining_packet_payload(c.wsi) > 0) return 0;
  if (c.wsRoute->handlers.onMessage) c.wsRoute->handlers.onMessage(c.ws, c.wsMessage, c.wsBinary);
  c.wsMessage.clear();
  if (c.wsMessage.capacity() > 64 * 1024) c.wsMessage.shrink_to_fit();  // one big message
  return 0;
}

int ContextThread::onWsWriteable(Connection& c) {
  if (!c.ws) return -1;
  auto [code, reason] = c.ws->closeRequest();
  if (code) {
    lws_close_reason(c.wsi, static_cast<lws_close_status>(code),
                     reinterpret_cast<unsigned char*>(reason.data()), reason.size());
    c.wsCloseCode = code;
    return -1;
  }
  bool more = false;
  if (!writeWsQueue(c, more)) return -1;
  if (more) lws_callback_on_writable(c.wsi);
  return 0;
}

bool ContextThread::packWsQueue(Connection& c, std::vector<unsigned char>& buf, std::size_t at,
                                std::size_t& len, bool& binary, bool& more) {
  more = false;
  len = 0;
  if (c.wsRoute && c.wsRoute->options.packJsonArrays) {
    // Everything waiting (up to the cap) in one frame: "[m1,m2,...]", or m1 alone.
    if (!c.ws->popTextBatch(batch_, c.wsRoute->options.packMaxBytes, more)) return false;
    binary = batch_.front().binary;
    std::size_t need = 2;
    for (const auto& m : batch_) need += m.data->size() + 1;
    if (buf.size() < at + need) buf.resize(at + need);
    unsigned char* p = buf.data() + at;
    if (batch_.size() == 1) {
      std::memcpy(p, batch_.front().data->data(), batch_.front().data->size());
      len = batch_.front().data->size();
    } else {
      p[len++] = '[';
      for (const auto& m : batch_) {
        if (len > 1) p[len++] = ',';
        std::memcpy(p + len, m.data->data(), m.data->size());
        len += m.data->size();
      }
      p[len++] = ']';
    }
    batch_.clear();  // drop the shared buffers now, not at the next write
    return true;
  }
  WsConnection::Outgoing out;
  if (!c.ws->popOutgoing(out, more)) return false;
  const std::string& data = *out.data;
  if (buf.size() < at + data.size()) buf.resize(at + data.size());
  std::memcpy(buf.data() + at, data.data(), data.size());
  len = data.size();
  binary = out.binary;
  return true;
}

bool ContextThread::writeWsQueue(Connection& c, bool& more) {
  std::size_t len = 0;
  bool binary = false;
  if (!packWsQueue(c, scratch_, LWS_PRE, len, binary, more)) return true;
  // lws writes the frame header into the LWS_PRE bytes: the shared buffers stay untouched.
  // A short send is kept by lws (and finished on POLLOUT before anything else goes out).
  int n = lws_write(c.wsi, scratch_.data() + LWS_PRE, len, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
  if (scratch_.size() > LWS_PRE + 256 * 1024) scratch_.resize(LWS_PRE + 64 * 1024);
  return n >= static_cast<int>(len);
}

void ContextThread::flushWs(Connection& c) {
  // The usual case writes at once, from the mailbox pass or the coalescing timer: no extra
  // round through poll() for POLLOUT. A close, or a socket still finishing an earlier short
  // send, takes the WRITEABLE callback instead.
  if (!c.ws || !c.wsEstablished || c.ws->closeRequested() || lws_partial_buffered(c.wsi)) {
    lws_callback_on_writable(c.wsi);
    return;
  }
  if (c.wsSendQueued) {  // one frame per connection per batch: the rest follows it
    c.wsSendMore = true;
    return;
  }
  if (c.wsFd >= 0 && uring_.available()) return queueWsSend(c);
  bool more = false;
  if (!writeWsQueue(c, more)) {
    logger()->info("[peer={} conn={}] websocket write failed: closing", c.ws->request().peer, c.id);
    lws_set_timeout(c.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    return;
  }
  if (more || lws_partial_buffered(c.wsi)) lws_callback_on_writable(c.wsi);
}

void ContextThread::queueWsSend(Connection& c) {
  // RFC 6455 server frame (FIN, unmasked), header right before the payload.
  constexpr std::size_t kMaxHeader = 10;
  const std::size_t start = sendArena_.size();
  std::size_t len = 0;
  bool binary = false, more = false;
  if (!packWsQueue(c, sendArena_, start + kMaxHeader, len, binary, more)) {
    sendArena_.resize(start);
    return;
  }
  unsigned char head[kMaxHeader];
  std::size_t h = 0;
  head[h++] = binary ? 0x82 : 0x81;
  if (len < 126) {
    head[h++] = static_cast<unsigned char>(len);
  } else if (len < 65536) {
    head[h++] = 126;
    head[h++] = static_cast<unsigned char>(len >> 8);
    head[h++] = static_cast<unsigned char>(len);
  } else {
    head[h++] = 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      head[h++] = static_cast<unsigned char>(std::uint64_t{len} >> shift);
  }
  const std::size_t offset = start + kMaxHeader - h;
  std::memcpy(sendArena_.data() + offset, head, h);
  sends_.push_back(PendingSend{c.id, c.wsFd, offset, h + len});
  c.wsSendQueued = true;
  c.wsSendMore = more;
  if (sends_.size() >= uring_.capacity()) submitWsSends();
}

void ContextThread::submitWsSends() {
  if (sends_.empty()) return;
  for (std::size_t i = 0; i < sends_.size(); ++i)
    uring_.add(sends_[i].fd, sendArena_.data() + sends_[i].offset, sends_[i].len, i);
  for (const auto& r : uring_.submit()) {
    const PendingSend& s = sends_[r.tag];
    auto it = byId_.find(s.connId);
    if (it == byId_.end()) continue;
    Connection& c = *it->second;
    c.wsSendQueued = false;
    bool more = c.wsSendMore;
    c.wsSendMore = false;
    if (r.res < 0 && r.res != -EAGAIN) {
      logger()->info("[peer={} conn={}] websocket write failed ({}): closing",
                     c.ws ? c.ws->request().peer : "", c.id, std::strerror(-r.res));
      lws_set_timeout(c.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
      continue;
    }
    const std::size_t sent = r.res > 0 ? static_cast<std::size_t>(r.res) : 0;
    // All of it went: lws had nothing pending before (flushWs asked), so it has nothing now.
    if (sent == s.len) {
      if (more) lws_callback_on_writable(c.wsi);
      continue;
    }
    // The socket took part of the frame: lws keeps the rest (LWS_WRITE_RAW is no framing)
    // and writes it on POLLOUT before anything else of this connection.
    const std::size_t rest = s.len - sent;
    if (scratch_.size() < LWS_PRE + rest) scratch_.resize(LWS_PRE + rest);
    std::memcpy(scratch_.data() + LWS_PRE, sendArena_.data() + s.offset + sent, rest);
    if (lws_write(c.wsi, scratch_.data() + LWS_PRE, rest, LWS_WRITE_RAW) < static_cast<int>(rest)) {
      logger()->info("[peer={} conn={}] websocket write failed: closing", c.ws ? c.ws->request().peer : "",
                     c.id);
      lws_set_timeout(c.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
      continue;
    }
    if (more || lws_partial_buffered(c.wsi)) lws_callback_on_writable(c.wsi);
  }
  sends_.clear();
  sendArena_.clear();
  if (sendArena_.capacity() > 4 * 1024 * 1024) sendArena_.shrink_to_fit();
}

void ContextThread::onWsClosed(Connection& c) {
  if (!c.wsEstablished) return;
  c.wsEstablished = false;
  --wsOpen_;
  core_.wsConnections.dec();
  c.ws->markClosed();
  if (c.wsRoute->handlers.onClose) c.wsRoute->handlers.onClose(c.ws, c.wsCloseCode ? c.wsCloseCode : 1006);
}

void ContextThread::wakeWs(std::uint64_t connId, std::int64_t dueUs) {
  if (dueUs > kWriteAtOnce) return wakeWs(std::vector<std::uint64_t>{connId}, dueUs);
  auto it = byId_.find(connId);
  if (it != byId_.end() && it->second->ws) flushWs(*it->second);
}

void ContextThread::wakeWs(std::vector<std::uint64_t> connIds, std::int64_t dueUs) {
  if (dueUs <= kWriteAtOnce) {
    for (auto id : connIds) wakeWs(id, dueUs);
    return;
  }
  // Closes come apart and at once (WsConnection::close).
  held_.push_back(Held{dueUs, std::move(connIds)});
  // A deadline already passed (a group's turn: chat/room/coalesce_window.h) starts its pass
  // now rather than after a round of the loop for the timer.
  if (dueUs <= steadyNowUs()) return writeDue();
  armHoldTimer(dueUs);
}

void ContextThread::armHoldTimer(std::int64_t dueUs) {
  // One timer per loop: the soonest deadline wins, so nothing waits longer than its own hold.
  if (timerArmed_ && timerDueUs_ <= dueUs) return;
  timerArmed_ = true;
  timerDueUs_ = dueUs;
  loop_.armTimer(std::chrono::microseconds{std::max<std::int64_t>(dueUs - steadyNowUs(), 0)});
}

void ContextThread::onCoalesceTimer() {
  timerArmed_ = false;
  writeDue();
}

void ContextThread::writeDue() {
  const auto now = std::chrono::steady_clock::now();
  const auto nowUs = steadyNowUs();
  if (flushing_.empty()) {
    flushAt_ = 0;
    passStart_ = now;
  }  // else the due join the pass still going (its time counts from that pass' start)
  const std::size_t passBefore = flushing_.size();
  std::int64_t firstDue = INT64_MAX, longestHold = -1;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < held_.size(); ++i) {
    Held& h = held_[i];
    if (h.dueUs > nowUs) {
      if (kept != i) held_[kept] = std::move(h);
      ++kept;
      continue;
    }
    firstDue = std::min(firstDue, h.dueUs);
    // Thousands of cold connections: first every lookup (their cache misses overlap), then the
    // look at each with the ones a few ahead already on their way.
    resolved_.clear();
    for (auto id : h.ids) {
      auto it = byId_.find(id);
      if (it == byId_.end()) continue;
      __builtin_prefetch(it->second);
      resolved_.push_back(it->second);
    }
    for (std::size_t j = 0; j < resolved_.size(); ++j) {
      if (j + kWsPrefetchAhead < resolved_.size() && resolved_[j + kWsPrefetchAhead]->ws)
        resolved_[j + kWsPrefetchAhead]->ws->prefetch();
      Connection* c = resolved_[j];
      if (!c->ws || c->wsInPass) continue;
      const auto hold = c->ws->hold();
      // Written meanwhile (nothing owed), or held again for later (an entry of its own).
      if (hold.dueUs == 0 || hold.dueUs > nowUs) continue;
      if (hold.dueUs > kWriteAtOnce) longestHold = std::max(longestHold, hold.dueUs - hold.sinceUs);
      c->wsInPass = true;
      flushing_.push_back(c);
    }
  }
  held_.resize(kept);
  // A group's turn (chat/room/coalesce_window.h) writes the members its earlier entry held: that
  // entry, all of whose connections are in this pass (or owe nothing, or are gone), is dropped
  // now rather than wake the loop at its deadline to find nothing due. Another group's entry
  // stops the look at its first connection.
  if (flushing_.size() > passBefore) {
    auto superseded = [&](const Held& h) {
      for (auto id : h.ids) {
        auto it = byId_.find(id);
        if (it == byId_.end() || !it->second->ws || it->second->wsInPass) continue;
        if (it->second->ws->hold().dueUs != 0) return false;
      }
      return true;
    };
    held_.erase(std::remove_if(held_.begin(), held_.end(), superseded), held_.end());
  }
  std::int64_t nextDue = INT64_MAX;
  for (const auto& h : held_) nextDue = std::min(nextDue, h.dueUs);
  if (nextDue != INT64_MAX && !(timerArmed_ && timerDueUs_ == nextDue)) {
    timerArmed_ = false;  // the soonest left may be later than the timer armed
    armHoldTimer(nextDue);
  }
  if (firstDue != INT64_MAX)
    core_.wsTimerLate.observe(static_cast<double>(std::max<std::int64_t>(nowUs - firstDue, 0)) / 1e6);
  if (longestHold >= 0) core_.wsHold.observe(static_cast<double>(longestHold) / 1e6);
  // lws' poll() has no pass that does not wait: the whole pass at once there.
  if (!loop_.evented())
    while (!flushing_.empty()) continueFlush();
}

void ContextThread::continueFlush() {
  const std::size_t end = std::min(flushing_.size(), flushAt_ + kFlushChunk);
  for (; flushAt_ < end; ++flushAt_) {
    Connection* c = flushing_[flushAt_];
    if (!c) continue;  // gone since writeDue (forget)
    c->wsInPass = false;
    if (c->ws) flushWs(*c);
  }
  submitWsSends();
  if (flushAt_ == flushing_.size()) {
    flushing_.clear();
    flushAt_ = 0;
    core_.wsWritePass.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - passStart_).count());
  }
}

}  // namespace hub::http
