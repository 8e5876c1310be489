// core/http/router.cpp
//
// A linear scan over pre-split patterns: an API has tens of routes, and matching segment by
// segment without allocating beats building a trie at this size.
#include "core/http/router.h"

#include <algorithm>

namespace hub::http {

void CorsOptions::addHeaders(Response& r, std::string_view origin) const {
  if (origin.empty()) return;
  auto allow = allowOriginFor(origin);
  if (allow.empty()) return;
  r.header("access-control-allow-origin", allow);
  if (allow != "*") r.header("vary", "origin");
  if (allowCredentials) r.header("access-control-allow-credentials", "true");
}

std::string CorsOptions::allowOriginFor(std::string_view origin) const {
  for (const auto& o : allowedOrigins) {
    if (o == "*") return allowCredentials && !origin.empty() ? std::string(origin) : "*";
    if (!origin.empty() && o == origin) return std::string(origin);
  }
  return {};
}

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

void Router::add(Method method, std::string_view pattern, SyncHandler handler, RouteOptions options) {
  routes_.push_back(
      Route{method, std::string(pattern), splitPath(pattern), std::move(handler), std::move(options)});
}

void Router::addAsync(Method method, std::string_view pattern, AsyncHandler handler, RouteOptions options) {
  routes_.push_back(
      Route{method, std::string(pattern), splitPath(pattern), std::move(handler), std::move(options)});
}

namespace {

// Matches without allocating; fills params only when asked.
bool matchPath(const Route& r, std::string_view path, Fields* params) {
  std::size_t i = 0;
  while (true) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (i == r.segments.size()) return path.empty();
    const auto& seg = r.segments[i];
    if (seg == "*") {
      if (params) params->emplace_back("*", std::string(path));
      return true;
    }
    if (path.empty()) return false;
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (seg.front() == ':') {
      if (params) params->emplace_back(seg.substr(1), std::string(part));
    } else if (seg != part) {
      return false;
    }
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    ++i;
  }
}

}  // namespace

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  const Route* getRoute = nullptr;
  for (const auto& r : routes_) {
    if (!matchPath(r, path, nullptr)) continue;
    m.pathKnown = true;
    auto name = methodName(r.method);
    if (m.allow.find(name) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += name;
    }
    if (!m.cors && r.options.cors) m.cors = &*r.options.cors;
    if (!m.route && r.method == method) m.route = &r;
    if (!getRoute && r.method == Method::Get) getRoute = &r;
  }
  if (!m.route && method == Method::Head && getRoute) m.route = getRoute;
  if (getRoute && m.allow.find("HEAD") == std::string::npos) m.allow += ", HEAD";
  if (m.route) matchPath(*m.route, path, &m.params);
  return m;
}

}  // namespace hub::http
