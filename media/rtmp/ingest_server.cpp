// media/rtmp/ingest_server.cpp
#include "media/rtmp/ingest_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log/log.h"
#include "core/loop/thread_name.h"

namespace hub::media::rtmp {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.rtmp");
  return log;
}

constexpr std::uint64_t kListenTag = 0;
constexpr std::uint64_t kWakeTag = ~std::uint64_t{0};

std::string peerName(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(a->sin_port));
}

}  // namespace

struct IngestServer::Connection final : IngestSessionHost {
  Connection(IngestServer& s, std::uint64_t i, int f, std::string p)
      : server(s), id(i), fd(f), peer(std::move(p)), session(*this, s.clock_, s.options_.session) {}

  Result<std::string> resolveKey(std::string_view key) override { return server.host_.resolveKey(key); }

  FrameSink& publishStarted(const std::string& stream) override {
    bool takeover = false;
    if (auto it = server.publishers_.find(stream); it != server.publishers_.end() && it->second != id) {
      if (auto old = server.connections_.find(it->second); old != server.connections_.end()) {
        logger()->info("[conn={} peer={}] stream={} taken over by conn={} peer={}", old->second->id,
                       old->second->peer, stream, id, peer);
        old->second->session.takenOver();
        server.toClose_.push_back(old->second->id);
        takeover = true;
        server.takeovers_.inc();
      }
    }
    server.publishers_[stream] = id;
    server.publishes_.inc();
    logger()->info("[conn={} peer={}] publish accepted stream={}{}", id, peer, stream,
                   takeover ? " (takeover)" : "");
    return server.host_.publishStarted(stream, PublisherInfo{id, peer}, takeover);
  }

  void publishEnded(const std::string& stream) override {
    auto it = server.publishers_.find(stream);
    if (it == server.publishers_.end() || it->second != id) return;
    server.publishers_.erase(it);
    logger()->info("[conn={} peer={}] publish ended stream={}", id, peer, stream);
    server.host_.publishEnded(stream);
  }

  IngestServer& server;
  std::uint64_t id;
  int fd;
  std::string peer;
  IngestSession session;
  Bytes out;
  std::size_t outSent = 0;
  bool wantWrite = false;
  Clock::Steady acceptedAt{}, lastInput{};
  FrameAssembler::Stats counted;
};

IngestServer::IngestServer(IngestServerOptions options, IngestHost& host, metrics::Registry& metrics,
                           const Clock& clock)
    : options_(std::move(options)),
      host_(host),
      metrics_(metrics),
      clock_(clock),
      connectionsGauge_(metrics.gauge("hub_rtmp_connections", "RTMP connections open now")),
      accepted_(metrics.counter("hub_rtmp_connections_total", "RTMP connections accepted")),
      bytesIn_(metrics.counter("hub_rtmp_received_bytes_total", "Bytes received from RTMP clients")),
      videoFrames_(metrics.counter("hub_rtmp_frames_total", "Frames ingested", {{"track", "video"}})),
      audioFrames_(metrics.counter("hub_rtmp_frames_total", "Frames ingested", {{"track", "audio"}})),
      publishes_(metrics.counter("hub_rtmp_publishes_total", "Publishes accepted")),
      takeovers_(metrics.counter("hub_rtmp_takeovers_total",
                                 "Publishers replaced by a newer one of the same stream")),
      droppedFrames_(
          metrics.counter("hub_rtmp_dropped_frames_total", "Frames dropped at ingest (no codec data)")) {}

IngestServer::~IngestServer() { stop(); }

Status IngestServer::start() {
  std::string host = options_.address;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string shown =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(options_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string portStr = std::to_string(options_.port);
  int gai = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), portStr.c_str(), &hints, &res);
  if (gai != 0 || !res)
    return makeError("rtmp.listen", "listen " + shown + ": bad address: " + gai_strerror(gai));
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (res->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 256) != 0) {
    int err = errno;
    ::freeaddrinfo(res);
    if (fd >= 0) ::close(fd);
    return makeError("rtmp.listen", "listen " + shown + ": " + std::strerror(err));
  }
  ::freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  bound_ = peerName(ss);
  port_ = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                   : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  listenFd_ = fd;
  epollFd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenTag;
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, listenFd_, &ev);
  ev.data.u64 = kWakeTag;
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &ev);
  thread_ = std::thread([this] { run(); });
  logger()->info("RTMP ingest listening on {}", bound_);
  return {};
}

void IngestServer::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
    thread_.join();
  }
  for (int* fd : {&listenFd_, &epollFd_, &wakeFd_})
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
}

void IngestServer::disconnect(const std::string& stream) {
  post([this, stream] {
    if (auto it = publishers_.find(stream); it != publishers_.end()) {
      Error e = makeError("rtmp.stream_removed", "stream " + stream + " was removed or its key changed");
      close(it->second, &e);
    }
  });
}

void IngestServer::post(std::function<void()> fn) {
  if (!thread_.joinable() || stopping_) return;
  {
    std::lock_guard lock(requestsMu_);
    posted_.push_back(std::move(fn));
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
}

void IngestServer::run() {
  hub::loop::setThreadName("hub-rtmp");
  epoll_event events[64];
  while (!stopping_) {
    int n = ::epoll_wait(epollFd_, events, 64, 250);
    for (int i = 0; i < n; ++i) {
      std::uint64_t tag = events[i].data.u64;
      if (tag == kListenTag) {
        accept();
        continue;
      }
      if (tag == kWakeTag) {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(wakeFd_, &v, sizeof v);
        std::vector<std::function<void()>> requests;
        {
          std::lock_guard lock(requestsMu_);
          requests.swap(posted_);
        }
        for (auto& fn : requests) fn();
        continue;
      }
      auto it = connections_.find(tag);
      if (it == connections_.end()) continue;  // closed earlier in this round
      Connection& c = *it->second;
      if (events[i].events & (EPOLLERR | EPOLLHUP) && !(events[i].events & EPOLLIN)) {
        close(c.id, nullptr);
        continue;
      }
      if (events[i].events & EPOLLOUT) flush(c);
      if (connections_.count(tag) && (events[i].events & EPOLLIN)) onReadable(c);
    }
    for (auto id : std::exchange(toClose_, {})) close(id, nullptr);
    checkTimeouts();
  }
  std::vector<std::uint64_t> ids;
  for (auto& [id, c] : connections_) ids.push_back(id);
  for (auto id : ids) close(id, nullptr);
}

void IngestServer::accept() {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string peer = peerName(ss);
    if (connections_.size() >= options_.maxConnections) {
      countError("rtmp.too_many_connections");
      logger()->warn("[peer={}] refused: {} connections open (cap)", peer, connections_.size());
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::uint64_t id = nextId_++;
    auto c = std::make_unique<Connection>(*this, id, fd, peer);
    c->acceptedAt = c->lastInput = clock_.steady();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev);
    connections_.emplace(id, std::move(c));
    accepted_.inc();
    connectionsGauge_.set(static_cast<double>(connections_.size()));
    logger()->debug("[conn={} peer={}] connected", id, peer);
  }
}

void IngestServer::onReadable(Connection& c) {
  const std::uint64_t id = c.id;  // `c` dies when it is closed below
  std::uint8_t buf[65536];
  for (int rounds = 0; rounds < 16; ++rounds) {
    ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n == 0) {
      close(c.id, nullptr);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      close(c.id, nullptr);
      return;
    }
    bytesIn_.inc(static_cast<double>(n));
    c.lastInput = clock_.steady();
    auto st = c.session.feed(ByteView(buf, static_cast<std::size_t>(n)));
    countProgress(c);
    if (c.session.hasOutput()) {
      auto more = c.session.takeOutput();
      c.out.insert(c.out.end(), more.begin(), more.end());
      flush(c);
      if (!connections_.count(id)) return;
    }
    if (!st) {
      close(c.id, &st.error());
      return;
    }
    if (c.session.state() == IngestSession::State::Closing) {
      toClose_.push_back(c.id);
      return;
    }
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
}

void IngestServer::countProgress(Connection& c) {
  const FrameAssembler* a = c.session.assembler();
  if (!a) return;
  const auto& s = a->stats();
  if (s.videoFrames > c.counted.videoFrames)
    videoFrames_.inc(static_cast<double>(s.videoFrames - c.counted.videoFrames));
  if (s.audioFrames > c.counted.audioFrames)
    audioFrames_.inc(static_cast<double>(s.audioFrames - c.counted.audioFrames));
  if (s.droppedFrames > c.counted.droppedFrames) {
    droppedFrames_.inc(static_cast<double>(s.droppedFrames - c.counted.droppedFrames));
    host_.framesDropped(c.session.stream(), s.droppedFrames - c.counted.droppedFrames);
  }
  if (s.timestampsBackwards > c.counted.timestampsBackwards)
    metrics_.counter("hub_rtmp_errors_total", "RTMP errors by code", {{"code", "rtmp.timestamp_backwards"}})
        .inc(static_cast<double>(s.timestampsBackwards - c.counted.timestampsBackwards));
  c.counted = s;
}

void IngestServer::flush(Connection& c) {
  while (c.outSent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.outSent, c.out.size() - c.outSent, MSG_NOSIGNAL);
    if (n > 0) {
      c.outSent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    close(c.id, nullptr);
    return;
  }
  if (c.outSent == c.out.size()) {
    c.out.clear();
    c.outSent = 0;
  } else if (c.out.size() - c.outSent > options_.maxOutputBytes) {
    Error e = makeError("rtmp.slow_reader", "client does not read the server's replies");
    close(c.id, &e);
    return;
  }
  bool want = !c.out.empty();
  if (want != c.wantWrite) {
    c.wantWrite = want;
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    ev.data.u64 = c.id;
    ::epoll_ctl(epollFd_, EPOLL_CTL_MOD, c.fd, &ev);
  }
}

void IngestServer::countError(const std::string& code) {
  metrics_.counter("hub_rtmp_errors_total", "RTMP errors by code", {{"code", code}}).inc();
}

void IngestServer::close(std::uint64_t id, const Error* why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::unique_ptr<Connection> c = std::move(it->second);
  connections_.erase(it);
  if (why) {
    countError(why->code);
    // Never the key: messages name streams, never what was sent as a key.
    logger()->warn("[conn={} peer={}{}{}] closing: {} ({})", c->id, c->peer,
                   c->session.stream().empty() ? "" : " stream=", c->session.stream(), why->message,
                   why->code);
  } else {
    logger()->debug("[conn={} peer={}] closed", c->id, c->peer);
  }
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->session.closed();
  connectionsGauge_.set(static_cast<double>(connections_.size()));
}

void IngestServer::checkTimeouts() {
  auto now = clock_.steady();
  std::vector<std::pair<std::uint64_t, Error>> expired;
  for (auto& [id, c] : connections_) {
    auto state = c->session.state();
    if ((state == IngestSession::State::Handshake || state == IngestSession::State::WaitConnect) &&
        now - c->acceptedAt > options_.handshakeTimeout)
      expired.emplace_back(id, makeError("rtmp.handshake_timeout", "no connect command in time"));
    else if (now - c->lastInput > options_.idleTimeout)
      expired.emplace_back(
          id, makeError("rtmp.idle_timeout", "nothing received for too long (publisher stalled)"));
  }
  for (auto& [id, e] : expired) close(id, &e);
}

}  // namespace hub::media::rtmp
