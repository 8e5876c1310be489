// core/http/acceptor.cpp
//
// poll() on the listening socket and an eventfd; accept4 until EAGAIN so a burst of connections
// costs one wake-up. EMFILE is survived by backing off briefly instead of spinning.
#include "core/http/acceptor.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log/log.h"
#include "core/loop/thread_name.h"

namespace hub::http {

namespace {
const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}
}  // namespace

std::string stripBrackets(const std::string& address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    return address.substr(1, address.size() - 2);
  return address;
}

Acceptor::~Acceptor() { stop(); }

Status Acceptor::listen(const std::string& address, int port) {
  std::string host = stripBrackets(address);
  std::string shown =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string portStr = std::to_string(port);
  int gai = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), portStr.c_str(), &hints, &res);
  if (gai != 0 || !res)
    return makeError("http.listen", "listen " + shown + ": bad address: " + gai_strerror(gai));
  // The first answer only: "localhost" must not silently become two sockets.
  ipv6_ = res->ai_family == AF_INET6;
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    return makeError("http.listen", "listen " + shown + ": socket: " + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);              // restart past TIME_WAIT
  if (ipv6_) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);  // exactly [::]
  if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    int err = errno;
    ::freeaddrinfo(res);
    ::close(fd);
    return makeError("http.listen", "listen " + shown + ": " + std::strerror(err));
  }
  ::freeaddrinfo(res);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    port_ = ntohs(a->sin6_port);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    bound_ = "[" + std::string(buf) + "]:" + std::to_string(port_);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    port_ = ntohs(a->sin_port);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    bound_ = std::string(buf) + ":" + std::to_string(port_);
  }
  fd_ = fd;
  return {};
}

void Acceptor::start(Dispatch dispatch) {
  dispatch_ = std::move(dispatch);
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

void Acceptor::stop() {
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
    thread_.join();
  }
  if (wakeFd_ >= 0) ::close(wakeFd_);
  wakeFd_ = -1;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Acceptor::run() {
  hub::loop::setThreadName("hub-accept");
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
  for (;;) {
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      logger()->error("accept poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          logger()->warn("accept: {} (out of descriptors?), pausing", std::strerror(errno));
          ::poll(&fds[1], 1, 100);
        }
        break;  // EAGAIN and everything else: back to poll
      }
      int one = 1;
      ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      dispatch_(c);
    }
  }
}

}  // namespace hub::http
