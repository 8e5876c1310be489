// core/http/http_exchange.cpp
//
// One HTTP exchange on a loop thread: headers -> (body) -> handler or static file -> response
// written in LWS_CALLBACK_HTTP_WRITEABLE, in 64 KiB pieces, headers and the first piece in one
// write (plain HTTP/1.1 bodies in memory go out with one sendmsg from where they lie, no copy).
// Asynchronous responses come back through the mailbox tagged with (connection id,
// request number); one for a connection that is gone or has moved on is dropped. One sent
// before the handler returns skips the mailbox.
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <optional>

#include "core/http/context_thread.h"
#include "core/http/http_util.h"
#include "core/http/lws_request.h"
#include "core/http/response_batch.h"
#include "core/log/log.h"

namespace hub::http {

namespace {

const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}

// An asynchronous handler that answers before it returns (a cached playlist, a part that is
// already cut) is answered directly, without the mailbox round trip and loop wake-up. Only
// code on this loop's thread, inside dispatch() of that very exchange, ever sees the slot.
struct InlineAnswer {
  const void* loop;
  std::uint64_t id, seq;
  std::optional<Response> response;
};
thread_local InlineAnswer* inlineAnswer = nullptr;

}  // namespace

int ContextThread::onHttp(Connection& c, const char* uri) {
  c.resetExchange();
  ++c.seq;
  c.started = std::chrono::steady_clock::now();
  c.method = lwsMethod(c.wsi);
  c.headOnly = c.method == Method::Head;
  c.phase = Connection::Phase::Handling;
  c.closeAfter = draining_;
  lws_set_timeout(c.wsi, NO_PENDING_TIMEOUT, 0);
  std::string_view path = uri ? std::string_view(uri) : std::string_view("/");

  auto contentLength = lwsContentLength(c.wsi);
  if (!contentLength) {
    c.closeAfter = true;
    respond(c, Response::error(400, "bad_request", "invalid Content-Length"));
    return 0;
  }
  if (lws_hdr_total_length(c.wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
    // lws 4.1 does not decode chunked request bodies; refusing beats misreading them.
    c.closeAfter = true;
    respond(c, Response::error(411, "length_required", "request bodies need Content-Length"));
    return 0;
  }
  c.expectedBody = *contentLength;
  if (c.expectedBody > core_.options.maxBodyBytes) {
    // Refused before reading a byte of it; the connection closes so the body is never parsed.
    logger()->debug("[peer={}] {} {}: body of {} bytes over the {} limit", c.peerAddress(),
                    methodName(c.method), path, c.expectedBody, core_.options.maxBodyBytes);
    c.closeAfter = true;
    respond(c,
            Response::error(413, "body_too_large",
                            "request body above " + std::to_string(core_.options.maxBodyBytes) + " bytes"));
    return 0;
  }

  auto match = core_.router.match(c.method, path);
  if (match.route) {
    c.route = match.route;
    c.cors = match.route->options.cors ? &*match.route->options.cors : nullptr;
    lwsReadRequest(c.wsi, c.method, std::string(path), c.peerAddress(), core_.options.extraHeaders,
                   c.request);
    c.request.params = std::move(match.params);
    c.origin = std::string(c.request.header("origin"));
    if (c.expectedBody > 0) {
      c.phase = Connection::Phase::Body;
      c.request.body.reserve(static_cast<std::size_t>(c.expectedBody));
      lws_set_timeout(c.wsi, PENDING_TIMEOUT_HTTP_CONTENT,
                      static_cast<int>(core_.options.bodyTimeout.count()));
      return 0;
    }
    dispatch(c);
    return 0;
  }
  // Anything below answers without reading a body: do not let one linger on the connection.
  if (c.expectedBody > 0) c.closeAfter = true;
  if (match.pathKnown) {
    if (c.method == Method::Options) {
      Response r = Response::noContent(204);
      r.header("allow", match.allow + ", OPTIONS");
      c.origin = lwsHeader(c.wsi, WSI_TOKEN_ORIGIN);
      if (match.cors && !match.cors->allowOriginFor(c.origin).empty()) {
        c.cors = match.cors;
        r.header("access-control-allow-methods", match.allow + ", OPTIONS");
        auto asked = lwsHeader(c.wsi, WSI_TOKEN_HTTP_AC_REQUEST_HEADERS);
        r.header("access-control-allow-headers", asked.empty() ? match.cors->allowHeaders : asked);
        r.header("access-control-max-age", std::to_string(match.cors->maxAgeSeconds));
      }
      respond(c, std::move(r));
      return 0;
    }
    respond(
        c, Response::error(405, "method_not_allowed", std::string(methodName(c.method)) + " not allowed here")
               .header("allow", match.allow));
    return 0;
  }
  if (const auto* mount = core_.statics.find(path)) {
    std::string inm = lwsHeader(c.wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
    std::string ims = lwsHeader(c.wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE);
    std::string range = lwsHeader(c.wsi, WSI_TOKEN_HTTP_RANGE);
    std::string ifRange = lwsHeader(c.wsi, WSI_TOKEN_HTTP_IF_RANGE);
    std::string ae = lwsHeader(c.wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING);
    std::string origin = mount->options.cors ? lwsHeader(c.wsi, WSI_TOKEN_ORIGIN) : std::string();
    StaticRequest sr{c.method, path, inm, ims, range, ifRange, ae, origin};
    Response r = core_.statics.serve(*mount, sr);
    if (mount->options.onServed && c.method == Method::Get && (r.status == 200 || r.status == 206)) {
      auto rel = path.substr(std::min(path.size(), mount->prefix.size()));
      while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
      mount->options.onServed(rel, c.peerAddress(), lwsHeader(c.wsi, WSI_TOKEN_HTTP_USER_AGENT));
    }
    respond(c, std::move(r));
    return 0;
  }
  respond(c, Response::error(404, "not_found", "no route for " + std::string(path)));
  return 0;
}

int ContextThread::onHttpBody(Connection& c, const char* in, std::size_t len) {
  if (c.phase != Connection::Phase::Body) return 0;  // a body we already answered: ignore it
  if (c.request.body.size() + len > core_.options.maxBodyBytes ||
      c.request.body.size() + len > c.expectedBody) {
    c.closeAfter = true;
    c.request.body.clear();
    respond(c, Response::error(413, "body_too_large", "request body above the limit"));
    return 0;
  }
  c.request.body.append(in, len);
  return 0;
}

int ContextThread::onHttpBodyComplete(Connection& c) {
  if (c.phase != Connection::Phase::Body) return 0;
  lws_set_timeout(c.wsi, NO_PENDING_TIMEOUT, 0);
  dispatch(c);
  return 0;
}

void ContextThread::dispatch(Connection& c) {
  c.phase = Connection::Phase::Handling;
  const Route& route = *c.route;
  if (const auto* sync = std::get_if<SyncHandler>(&route.handler)) {
    Response r;
    try {
      r = (*sync)(c.request);
    } catch (const std::exception& e) {
      logger()->error("[peer={}] {} {}: handler threw: {}", c.request.peer, methodName(c.method),
                      c.request.path, e.what());
      r = Response::error(500, "internal", "internal error");
    }
    respond(c, std::move(r));
    return;
  }
  std::weak_ptr<Mailbox> weak = mailbox_;
  const void* self = this;  // compared, never dereferenced
  Responder responder([weak, self, id = c.id, seq = c.seq](Response r) {
    auto* slot = inlineAnswer;
    if (slot && slot->loop == self && slot->id == id && slot->seq == seq) {
      slot->response = std::move(r);
      return;
    }
    // Any thread. A loop that is gone drops it; so does one whose connection closed. Inside a
    // ResponseBatch it waits for the batch's single hand-over.
    if (auto mb = weak.lock()) {
      Mailbox::Item item{Mailbox::Item::Kind::Response, id, seq, -1, std::move(r)};
      if (auto* batch = ResponseBatch::current())
        batch->add(mb, std::move(item));
      else
        (void)mb->post(std::move(item));
    }
  });
  const auto& async = std::get<AsyncHandler>(route.handler);
  InlineAnswer answer{self, c.id, c.seq, std::nullopt};
  inlineAnswer = &answer;
  try {
    async(std::move(c.request), responder);
  } catch (const std::exception& e) {
    logger()->error("[peer={}] {} {}: async handler threw: {}", c.peerAddress(), methodName(c.method),
                    route.pattern, e.what());
    responder.send(Response::error(500, "internal", "internal error"));
  }
  inlineAnswer = nullptr;
  if (answer.response) respond(c, std::move(*answer.response));
}

void ContextThread::onAsyncResponse(std::uint64_t connId, std::uint64_t seq, Response r) {
  auto it = byId_.find(connId);
  if (it == byId_.end() || it->second->seq != seq || it->second->phase != Connection::Phase::Handling) {
    logger()->debug("[conn={}] async response dropped: client gone", connId);
    return;
  }
  respond(*it->second, std::move(r));
}

void ContextThread::respond(Connection& c, Response r) {
  if (c.cors) c.cors->addHeaders(r, c.origin);
  c.response = std::move(r);
  c.phase = Connection::Phase::Writing;
  c.headersSent = false;
  c.sent = 0;
  c.direct = false;
  c.head.clear();
  c.headSent = 0;
  lws_callback_on_writable(c.wsi);
}

int ContextThread::onHttpWriteable(Connection& c) {
  if (c.phase == Connection::Phase::Closing) return -1;  // the last bytes are out: close
  if (c.phase != Connection::Phase::Writing || !c.response) return 0;
  Response& r = *c.response;
  unsigned char* start = scratch_.data() + LWS_PRE;
  unsigned char* end = scratch_.data() + scratch_.size();
  unsigned char* p = start;
  bool h2 = lws_get_network_wsi(c.wsi) != c.wsi;
  bool noBody = c.headOnly || r.status == 304 || r.status == 204 || r.status < 200;
  std::uint64_t total = noBody ? 0 : r.bodySize();

  if (!c.headersSent) {
    if (lws_add_http_header_status(c.wsi, static_cast<unsigned>(r.status), &p, end)) return -1;
    char name[128];
    for (const auto& [k, v] : r.headers) {
      if (k.size() + 2 > sizeof name) continue;
      std::memcpy(name, k.data(), k.size());
      name[k.size()] = ':';
      name[k.size() + 1] = '\0';
      if (lws_add_http_header_by_name(c.wsi, reinterpret_cast<const unsigned char*>(name),
                                      reinterpret_cast<const unsigned char*>(v.data()),
                                      static_cast<int>(v.size()), &p, end))
        return -1;
    }
    if (!r.omitContentLength && r.status != 204 && r.status >= 200) {
      auto len = std::to_string(r.bodySize());  // HEAD announces the GET length
      if (lws_add_http_header_by_token(c.wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                       reinterpret_cast<const unsigned char*>(len.data()),
                                       static_cast<int>(len.size()), &p, end))
        return -1;
    }
    // RFC 9110 wants Date from servers with a clock; formatted once a second per loop.
    std::time_t now = std::time(nullptr);
    if (now != dateSecond_) {
      dateSecond_ = now;
      dateValue_ = httpDate(now);
    }
    if (lws_add_http_header_by_token(c.wsi, WSI_TOKEN_HTTP_DATE,
                                     reinterpret_cast<const unsigned char*>(dateValue_.data()),
                                     static_cast<int>(dateValue_.size()), &p, end))
      return -1;
    if (c.closeAfter && !h2) {
      static const char kClose[] = "close";
      if (lws_add_http_header_by_token(c.wsi, WSI_TOKEN_CONNECTION,
                                       reinterpret_cast<const unsigned char*>(kClose), 5, &p, end))
        return -1;
    }
    if (lws_finalize_http_header(c.wsi, &p, end)) return -1;
    c.headersSent = true;
    // Plain HTTP/1.1 with the body in memory and nothing queued inside lws: write the headers
    // and the body where it lies with one sendmsg, no copy into the scratch buffer.
    if (!h2 && !r.file && !lws_is_ssl(c.wsi) && !lws_partial_buffered(c.wsi)) {
      c.direct = true;
      c.head.assign(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start));
    }
    if (h2) {  // h2 frames headers apart from data
      auto flags = total ? LWS_WRITE_HTTP_HEADERS : (LWS_WRITE_HTTP_HEADERS | LWS_WRITE_H2_STREAM_END);
      if (lws_write(c.wsi, start, static_cast<std::size_t>(p - start),
                    static_cast<lws_write_protocol>(flags)) < 0)
        return -1;
      p = start;
      if (total) {
        lws_callback_on_writable(c.wsi);
        return 0;
      }
    }
  }

  if (c.direct) return writeDirect(c, total);

  std::uint64_t room = static_cast<std::uint64_t>(end - p);
  std::uint64_t n = std::min<std::uint64_t>(room, total - c.sent);
  if (n) {
    if (r.shared) {
      std::memcpy(p, r.shared->data() + r.offset + c.sent, n);
    } else if (r.file) {
      auto got = ::pread(r.file->fd(), p, n, static_cast<off_t>(r.offset + c.sent));
      if (got != static_cast<ssize_t>(n)) return -1;  // truncated under us: nothing sane to send
    } else {
      std::memcpy(p, r.body.data() + c.sent, n);
    }
    p += n;
    c.sent += n;
  }
  bool last = c.sent == total;
  if (p != start || (h2 && last)) {
    if (lws_write(c.wsi, start, static_cast<std::size_t>(p - start),
                  last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0)
      return -1;
  }
  if (!last) {
    lws_callback_on_writable(c.wsi);
    return 0;
  }
  return completeExchange(c);
}

int ContextThread::writeDirect(Connection& c, std::uint64_t total) {
  const Response& r = *c.response;
  const char* body = r.shared ? r.shared->data() + r.offset : r.body.data();
  const int fd = lws_get_socket_fd(c.wsi);
  while (c.headSent < c.head.size() || c.sent < total) {
    iovec iov[2];
    int count = 0;
    if (c.headSent < c.head.size())
      iov[count++] = {const_cast<char*>(c.head.data() + c.headSent), c.head.size() - c.headSent};
    if (c.sent < total)
      iov[count++] = {const_cast<char*>(body + c.sent), static_cast<std::size_t>(total - c.sent)};
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t w = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        lws_callback_on_writable(c.wsi);  // the rest when the socket drains
        return 0;
      }
      return -1;  // the peer is gone
    }
    auto written = static_cast<std::size_t>(w);
    const std::size_t fromHead = std::min(written, c.head.size() - c.headSent);
    c.headSent += fromHead;
    c.sent += written - fromHead;
  }
  return completeExchange(c);
}

int ContextThread::completeExchange(Connection& c) {
  finishMetrics(c);
  if (c.closeAfter) {
    // Close once lws has flushed what it buffered: it calls us back only after that.
    c.phase = Connection::Phase::Closing;
    c.response.reset();
    lws_callback_on_writable(c.wsi);
    return 0;
  }
  c.resetExchange();
  // The idle timer until the next request is lws' keepalive_timeout (idleTimeout).
  if (lws_http_transaction_completed(c.wsi)) return -1;
  return 0;
}

void ContextThread::finishMetrics(Connection& c) {
  served_.fetch_add(1, std::memory_order_relaxed);
  int status = c.response ? c.response->status : 0;
  unsigned key = static_cast<unsigned>(c.method) * 1000 + static_cast<unsigned>(status);
  auto& counter = requestCounters_[key];
  if (!counter)
    counter = &core_.registry.counter(
        "hub_http_requests_total", "HTTP requests answered, by method and status",
        {{"method", std::string(methodName(c.method))}, {"code", std::to_string(status)}});
  counter->inc();
  core_.duration.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count());
}

}  // namespace hub::http
