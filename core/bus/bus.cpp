// core/bus/bus.cpp
//
// open(): picks the engine from the URL. The URL grammar is small on purpose: scheme, host,
// optional port, optional database number; anything else is refused rather than guessed.
#include "core/bus/bus.h"

#include <charconv>

#include "core/bus/memory_bus.h"
#include "core/bus/redis_bus.h"

namespace hub::bus {
namespace {

Error badUrl(std::string_view url, std::string_view why) {
  return makeError("bus.bad_url", "bus url \"" + std::string(url) + "\": " + std::string(why));
}

bool parseInt(std::string_view s, int& out, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

Result<RedisEndpoint> parseRedis(std::string_view url, std::string_view rest) {
  RedisEndpoint ep;
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) return badUrl(url, "credentials are not supported");
  if (rest.size() > authority.size()) {
    std::string_view db = rest.substr(authority.size() + 1);
    if (!db.empty() && !parseInt(db, ep.db, 0, 1 << 20)) return badUrl(url, "bad database number");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6379
    auto close = authority.find(']');
    if (close == std::string_view::npos) return badUrl(url, "unterminated IPv6 address");
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return badUrl(url, "junk after IPv6 address");
      port = after.substr(1);
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    ep.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
  } else if (!authority.empty()) {
    ep.host = std::string(authority);
  }
  if (ep.host.empty()) ep.host = "127.0.0.1";
  if (!port.empty() && !parseInt(port, ep.port, 1, 65535)) return badUrl(url, "bad port");
  return ep;
}

}  // namespace

Result<RedisEndpoint> RedisEndpoint::parse(std::string_view url) {
  constexpr std::string_view kRedis = "redis://";
  if (url.substr(0, kRedis.size()) != kRedis) return badUrl(url, "expected redis://host:port[/db]");
  return parseRedis(url, url.substr(kRedis.size()));
}

Result<std::unique_ptr<Bus>> open(std::string_view url, const Options& options) {
  if (url.empty() || url == "memory://" || url == "memory")
    return std::unique_ptr<Bus>(std::make_unique<MemoryBus>(options));
  constexpr std::string_view kRedis = "redis://";
  if (url.substr(0, kRedis.size()) != kRedis)
    return badUrl(url, "expected memory:// or redis://host:port[/db]");
  if (options.reconnectMin.count() <= 0 || options.reconnectMax < options.reconnectMin ||
      options.pingInterval.count() <= 0 || options.pingTimeout.count() <= 0 ||
      options.connectTimeout.count() <= 0)
    return makeError("bus.bad_options", "bus timings must be positive and reconnectMin <= reconnectMax");
  auto endpoint = RedisEndpoint::parse(url);
  if (!endpoint) return endpoint.error();
  auto bus = RedisBus::start(std::move(endpoint).value(), options);
  if (!bus) return bus.error();
  return std::unique_ptr<Bus>(std::move(bus).value());
}

}  // namespace hub::bus
