// core/http/router.cpp
//
// Pre-split patterns filed by their leading literal segments (router.h); the few routes under
// a path's keys are matched segment by segment without allocating, in the order they were added.
#include "core/http/router.h"

#include <algorithm>
#include <array>

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
  file(routes_.size() - 1);
}

void Router::addAsync(Method method, std::string_view pattern, AsyncHandler handler, RouteOptions options) {
  routes_.push_back(
      Route{method, std::string(pattern), splitPath(pattern), std::move(handler), std::move(options)});
  file(routes_.size() - 1);
}

void Router::file(std::size_t index) {
  std::string key;
  const auto& segments = routes_[index].segments;
  for (std::size_t i = 0; i < segments.size() && i < kKeyDepth; ++i) {
    if (segments[i].front() == ':' || segments[i] == "*") break;
    if (!key.empty()) key += '/';
    key += segments[i];
  }
  byKey_[key].push_back(index);
}

// Calls visit(route) for every route filed under one of the path's keys, in the order the routes
// were added (a merge of the at most kKeyDepth + 1 lists). A path with an empty segment ("//")
// has keys that are not substrings of it: every route is visited then.
template <class Visit>
void Router::forCandidates(std::string_view path, Visit&& visit) const {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.find("//") != std::string_view::npos) {
    for (const auto& r : routes_) visit(r);
    return;
  }
  std::array<const std::vector<std::size_t>*, kKeyDepth + 1> lists{};
  std::array<std::size_t, kKeyDepth + 1> at{};
  std::size_t n = 0;
  std::size_t end = 0;  // the end of the key of depth `depth` in path
  for (std::size_t depth = 0; depth <= kKeyDepth; ++depth) {
    if (depth > 0) {
      if (end >= path.size()) break;
      const auto slash = path.find('/', end == 0 ? 0 : end + 1);
      end = slash == std::string_view::npos ? path.size() : slash;
    }
    if (auto it = byKey_.find(path.substr(0, end)); it != byKey_.end()) lists[n++] = &it->second;
  }
  while (true) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i)
      if (at[i] < lists[i]->size() && (best == n || (*lists[i])[at[i]] < (*lists[best])[at[best]])) best = i;
    if (best == n) return;
    visit(routes_[(*lists[best])[at[best]++]]);
  }
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
  forCandidates(path, [&](const Route& r) {
    if (!matchPath(r, path, nullptr)) return;
    m.pathKnown = true;
    auto name = methodName(r.method);
    if (m.allow.find(name) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += name;
    }
    if (!m.cors && r.options.cors) m.cors = &*r.options.cors;
    if (!m.route && r.method == method) m.route = &r;
    if (!getRoute && r.method == Method::Get) getRoute = &r;
  });
  if (!m.route && method == Method::Head && getRoute) m.route = getRoute;
  if (getRoute && m.allow.find("HEAD") == std::string::npos) m.allow += ", HEAD";
  if (m.route) matchPath(*m.route, path, &m.params);
  return m;
}

}  // namespace hub::http
