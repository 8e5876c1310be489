// core/http/connection.h
//
// Loop-thread state of one client connection: the HTTP exchange in progress (request being
// read, response being written) or, after an upgrade, the WebSocket session. Owned by its
// ContextThread in a map keyed by wsi, created at adoption and destroyed in
// LWS_CALLBACK_WSI_DESTROY; async completions find it by id, so a response for a connection
// that is gone finds nothing and is dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/http/lws_request.h"
#include "core/http/request.h"
#include "core/http/response.h"
#include "core/http/router.h"
#include "core/http/websocket.h"

struct lws;

namespace hub::http {

struct Connection {
  enum class Phase { Idle, Body, Handling, Writing, Closing };

  // First, in one cache line: what a WebSocket write pass reads of each of thousands of
  // connections (the rest of this struct stays out of the cache).
  lws* wsi = nullptr;
  std::uint64_t id = 0;
  std::shared_ptr<WsConnection> ws;  // after a WebSocket upgrade
  const WsRoute* wsRoute = nullptr;
  int wsFd = -1;  // plain TCP of its own (no TLS, no h2 stream): its socket, for frames by io_uring
  bool wsEstablished = false;
  bool wsSendQueued = false;  // a frame of it waits in the loop's io_uring batch
  bool wsSendMore = false;    // and more waits behind it
  bool wsInPass = false;      // the coalescing timer's write pass has it already

  // An accepted socket (counted against maxConnections), not an h2 stream riding on one.
  bool adopted = false;
  Phase phase = Phase::Idle;
  std::uint64_t seq = 0;  // requests seen; async responses carry the one they answer
  std::string peer;       // see peerAddress()

  // The exchange in progress.
  Method method = Method::Get;
  std::chrono::steady_clock::time_point started;
  Request request;
  const Route* route = nullptr;
  const CorsOptions* cors = nullptr;
  std::string origin;
  std::uint64_t expectedBody = 0;
  std::optional<Response> response;
  bool headOnly = false;
  bool headersSent = false;
  std::uint64_t sent = 0;  // body bytes written
  bool closeAfter = false;
  // Plain HTTP/1.1 with a body in memory is written straight to the socket (writev of the
  // headers kept here and the body where it lies), not copied through lws' write buffer.
  bool direct = false;
  std::string head;
  std::size_t headSent = 0;

  // The rest of a WebSocket's state.
  std::string wsMessage;
  bool wsBinary = false;
  int wsCloseCode = 0;
  bool wsPeerCounted = false;  // holds one of wsRoute->peers' counts for its peer
  int wsRefuseCode = 0;        // over the per-peer cap: closed with this once established

  // The client's address: a getpeername call, so read once and kept for the next requests.
  const std::string& peerAddress() {
    if (peer.empty()) peer = lwsPeer(wsi);
    return peer;
  }

  void resetExchange() {
    phase = Phase::Idle;
    request = Request{};
    route = nullptr;
    cors = nullptr;
    origin.clear();
    expectedBody = 0;
    response.reset();
    headOnly = headersSent = false;
    sent = 0;
    direct = false;
    head.clear();
    headSent = 0;
  }
};

}  // namespace hub::http
