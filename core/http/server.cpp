// core/http/server.cpp
//
// Composition and life cycle: acceptor + loops, the least-loaded hand-off, ordered shutdown.
#include "core/http/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <libwebsockets.h>

#include "core/http/acceptor.h"
#include "core/http/context_thread.h"
#include "core/http/server_core.h"
#include "core/http/tls_files.h"
#include "core/log/log.h"

namespace hub::http {

namespace {

const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}

// lws logs through us. Its warnings are mostly about one misbehaving client ("User code
// denied connection"), which is bad input, not an operator problem: debug level.
void routeLwsLogs() {
  static std::once_flag once;
  std::call_once(once, [] {
    lws_set_log_level(LLL_ERR | LLL_WARN, [](int level, const char* line) {
      std::string_view l(line);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
      if (level & LLL_ERR)
        logger()->warn("lws: {}", l);
      else
        logger()->debug("lws: {}", l);
    });
  });
}

// Each connection is a descriptor: the soft default of 1024 caps a server far too low.
void raiseFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  // lws sizes per-context tables by this limit, so do not go past what we can use.
  rlim_t want = std::min<rlim_t>(rl.rlim_max, 1 << 16);
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = want;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0)
    logger()->warn("could not raise RLIMIT_NOFILE to {}", static_cast<unsigned long>(want));
}

}  // namespace

Server::Server(ServerOptions options, metrics::Registry& registry)
    : core_(std::make_unique<ServerCore>(std::move(options), registry)),
      acceptor_(std::make_unique<Acceptor>()) {}

Server::~Server() { stop(); }

void Server::route(Method method, std::string_view pattern, SyncHandler handler, RouteOptions options) {
  core_->router.add(method, pattern, std::move(handler), std::move(options));
}

void Server::routeAsync(Method method, std::string_view pattern, AsyncHandler handler, RouteOptions options) {
  core_->router.addAsync(method, pattern, std::move(handler), std::move(options));
}

Status Server::mountStatic(std::string_view urlPrefix, const std::string& dir, StaticOptions options) {
  return core_->statics.mount(urlPrefix, dir, std::move(options));
}

void Server::addWebSocket(std::string_view path, WsHandlers handlers, WsOptions options) {
  core_->wsRoutes.push_back(WsRoute{std::string(path), std::move(handlers), std::move(options)});
}

Status Server::start() {
  routeLwsLogs();
  raiseFileLimit();
  auto& o = core_->options;
  // lws only says "context failed" about a bad certificate: name the file ourselves.
  if (o.tlsCert.empty() != o.tlsKey.empty())
    return makeError("http.tls", "TLS needs both a certificate and a key file");
  if (!o.tlsCert.empty())
    if (auto st = checkTlsFiles(o.tlsCert, o.tlsKey); !st) return st;
  if (auto st = acceptor_->listen(o.address, o.port); !st) return st;
  unsigned n = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    loops_.push_back(std::make_unique<ContextThread>(*core_, i, acceptor_->ipv6()));
    if (auto st = loops_.back()->start(); !st) {
      stop();
      if (!o.tlsCert.empty())
        return st.error().wrap("TLS: is " + o.tlsCert + " a PEM certificate matching " + o.tlsKey + "?");
      return st;
    }
  }
  acceptor_->start([this](int fd) {
    auto& c = *core_;
    if (c.connections.fetch_add(1, std::memory_order_relaxed) >= c.options.maxConnections) {
      c.connections.fetch_sub(1, std::memory_order_relaxed);
      ::close(fd);
      // At most one line a second: a flood must not turn into a log flood.
      auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      if (now - lastRefusalLog_ > 1'000'000'000) {
        lastRefusalLog_ = now;
        logger()->warn("connections refused: {} open", c.options.maxConnections);
      }
      return;
    }
    // Least loaded wins; ties rotate so short-lived connections still spread.
    std::size_t best = nextLoop_++ % loops_.size();
    for (std::size_t k = 1; k < loops_.size(); ++k) {
      std::size_t i = (best + k) % loops_.size();
      if (loops_[i]->load() < loops_[best]->load()) best = i;
    }
    loops_[best]->adopt(fd);
  });
  {
    std::lock_guard lock(stopMu_);
    started_ = true;
  }
  logger()->info("http listening on {} with {} loop thread(s)", acceptor_->boundAddress(), n);
  return {};
}

void Server::stop() {
  std::lock_guard lock(stopMu_);
  if (stopped_) return;
  stopped_ = true;
  acceptor_->stop();
  auto deadline = std::chrono::steady_clock::now() + core_->options.drainTimeout;
  for (auto& l : loops_) l->beginDrain();
  bool clean = true;
  for (auto& l : loops_) clean = l->waitDrained(deadline) && clean;
  if (!clean) logger()->warn("http drain timed out; closing remaining connections");
  for (auto& l : loops_) l->exitAndJoin();
  loops_.clear();
  if (started_) logger()->info("http stopped");
}

int Server::port() const { return acceptor_->port(); }
std::string Server::boundAddress() const { return acceptor_->boundAddress(); }
unsigned Server::threads() const { return static_cast<unsigned>(loops_.size()); }

std::vector<std::uint64_t> Server::servedPerThread() const {
  std::vector<std::uint64_t> out;
  for (const auto& l : loops_) out.push_back(l->served());
  return out;
}

}  // namespace hub::http
