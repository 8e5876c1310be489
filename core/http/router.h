// core/http/router.h
//
// Method + path routing with ":name" parameters and a trailing "*" wildcard
// ("/api/v1/streams/:name", "/vod/*"). Routes are added before Server::start() and only read
// afterwards, from every loop thread, without locks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/http/request.h"
#include "core/http/responder.h"
#include "core/http/response.h"

namespace hub::http {

// Cross-origin access for browsers on other origins (the player on a CDN domain).
struct CorsOptions {
  std::vector<std::string> allowedOrigins;  // exact origins, or "*" for any
  std::string allowHeaders = "content-type, authorization";
  bool allowCredentials = false;
  int maxAgeSeconds = 600;

  // The Access-Control-Allow-Origin value for `origin`, or empty when it is not allowed.
  std::string allowOriginFor(std::string_view origin) const;
  // Adds Access-Control-Allow-Origin (and Vary, credentials) when `origin` is allowed.
  void addHeaders(Response& r, std::string_view origin) const;
};

struct RouteOptions {
  std::optional<CorsOptions> cors;
};

// Runs on the loop thread that owns the connection: must not block.
using SyncHandler = std::function<Response(const Request&)>;
// Runs on the loop thread; the Responder may be completed later from any thread.
using AsyncHandler = std::function<void(Request, Responder)>;

struct Route {
  Method method;
  std::string pattern;
  std::vector<std::string> segments;
  std::variant<SyncHandler, AsyncHandler> handler;
  RouteOptions options;
};

class Router {
 public:
  void add(Method method, std::string_view pattern, SyncHandler handler, RouteOptions options = {});
  void addAsync(Method method, std::string_view pattern, AsyncHandler handler, RouteOptions options = {});

  struct Match {
    const Route* route = nullptr;  // set when method and path match
    Fields params;
    bool pathKnown = false;             // some route has this path (405 instead of 404)
    std::string allow;                  // methods of that path, for Allow and CORS preflight
    const CorsOptions* cors = nullptr;  // of the first route with this path that has CORS
  };
  // HEAD falls back to the GET route.
  Match match(Method method, std::string_view path) const;
  bool empty() const { return routes_.empty(); }

 private:
  // Routes are found by their leading literal segments (at most kKeyDepth of them, joined by
  // '/': "api/v1/streams" for "/api/v1/streams/:name", "vod" for "/vod/*", "" for "/:x"): a path
  // can only match routes filed under one of its own first 0..kKeyDepth segments, so a request
  // looks at those few instead of every route of the server.
  static constexpr std::size_t kKeyDepth = 3;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void file(std::size_t index);
  template <class Visit>
  void forCandidates(std::string_view path, Visit&& visit) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, std::vector<std::size_t>, KeyHash, std::equal_to<>> byKey_;
};

std::vector<std::string> splitPath(std::string_view path);

}  // namespace hub::http
