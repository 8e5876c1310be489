// core/http/acceptor.h
//
// The one listening socket (Debian's lws cannot share a port between contexts): binds exactly
// the configured address, accepts on its own thread and hands each connection to a loop chosen
// by the caller's dispatch function.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/util/result.h"

namespace hub::http {

class Acceptor {
 public:
  using Dispatch = std::function<void(int fd)>;

  Acceptor() = default;
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Binds and listens. Error "http.listen" naming the address (port in use, bad address).
  Status listen(const std::string& address, int port);
  // Starts the accept thread; accepted sockets are non-blocking and close-on-exec.
  void start(Dispatch dispatch);
  // Stops accepting and closes the listening socket. Idempotent.
  void stop();

  int port() const { return port_; }
  bool ipv6() const { return ipv6_; }
  const std::string& boundAddress() const { return bound_; }  // "127.0.0.1:41234"

 private:
  void run();

  int fd_ = -1;
  int wakeFd_ = -1;  // eventfd that ends the poll() in run()
  int port_ = 0;
  bool ipv6_ = false;
  std::string bound_;
  Dispatch dispatch_;
  std::thread thread_;
};

// "[::1]" -> "::1"; other forms unchanged.
std::string stripBrackets(const std::string& address);

}  // namespace hub::http
