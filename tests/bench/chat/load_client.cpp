// tests/bench/chat/load_client.cpp
//
// The WebSocket and Engine.IO state machine of one load-generator connection. Frames are masked
// with an all-zero key: RFC 6455 wants a random key to protect proxies, which a loopback
// benchmark has none of, and the servers under test accept it like any other key.
#include "tests/bench/chat/load_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace hub::bench {

LoadClient::LoadClient(std::size_t index, Flavor flavor, std::string host, int port, std::string path,
                       std::string origin, std::string token, std::string room)
    : index_(index),
      flavor_(flavor),
      host_(std::move(host)),
      port_(port),
      path_(std::move(path)),
      origin_(std::move(origin)),
      token_(std::move(token)),
      room_(std::move(room)) {}

int LoadClient::start() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return -1;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    fail("bad IPv4 address " + host_);
    return -1;
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 && errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return -1;
  }
  std::string target = path_;
  if (flavor_ == Flavor::SocketIo) target += "?EIO=4&transport=websocket";
  out_ = "GET " + target + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n";
  if (!origin_.empty()) out_ += "Origin: " + origin_ + "\r\n";
  out_ += "\r\n";
  return fd_;
}

bool LoadClient::fail(std::string why) {
  if (state_ != State::Closed) closeReason_ = std::move(why);
  state_ = State::Closed;
  // shutdown() first: a receive armed in an io_uring holds the socket open past close().
  if (fd_ >= 0) {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  fd_ = -1;
  return false;
}

bool LoadClient::onWritable() {
  if (state_ == State::Closed) return false;
  if (state_ == State::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(std::string("connect: ") + std::strerror(err));
    state_ = State::Handshake;
  }
  return flush();
}

bool LoadClient::flush() {
  while (!out_.empty()) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      return fail(std::string("send: ") + std::strerror(errno));
    }
    out_.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

bool LoadClient::sendFrame(int opcode, std::string_view payload) {
  if (state_ == State::Closed) return false;
  const bool queued = !out_.empty();
  char head[14];
  std::size_t h = 0;
  head[h++] = static_cast<char>(0x80 | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    head[h++] = static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    head[h++] = static_cast<char>(0x80 | 126);
    head[h++] = static_cast<char>(n >> 8);
    head[h++] = static_cast<char>(n & 0xff);
  } else {
    head[h++] = static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) head[h++] = static_cast<char>((static_cast<uint64_t>(n) >> (8 * i)) & 0xff);
  }
  for (int i = 0; i < 4; ++i) head[h++] = 0;  // the all-zero mask key (see the file comment)
  out_.append(head, h);
  out_.append(payload);
  // Before the handshake completed (or while earlier bytes wait) the bytes stay queued.
  if (queued || state_ == State::Connecting || state_ == State::Handshake) return true;
  return flush();
}

bool LoadClient::sendCommand(std::string_view json) {
  if (flavor_ == Flavor::Hub) return sendFrame(1, json);
  std::string wrapped;
  wrapped.reserve(json.size() + 10);
  wrapped.append("42[\"cmd\",").append(json).append("]");
  return sendFrame(1, wrapped);
}

bool LoadClient::onReadable(FrameSink& sink) {
  char buf[65536];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  for (;;) {
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, 0);
    if (n == 0) return onEnd(0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return onEnd(-errno);
    }
    std::int64_t arrival = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      arrival = std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
    }
    if (!onData(std::string_view(buf, static_cast<std::size_t>(n)), arrival, sink)) return false;
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
  return true;
}

bool LoadClient::onEnd(int res) {
  if (res == 0) return fail("closed by server");
  return fail(std::string("recv: ") + std::strerror(-res));
}

bool LoadClient::onData(std::string_view bytes, std::int64_t arrivalRealMicros, FrameSink& sink) {
  if (state_ == State::Closed) return false;
  if (arrivalRealMicros > 0) arrivalRealMicros_ = arrivalRealMicros;
  if (state_ == State::Handshake || state_ == State::Connecting) {
    in_.append(bytes);
    if (!parseHandshake()) return state_ != State::Closed;
    return parseBuffered(sink);
  }
  if (!in_.empty()) {  // the rest of a frame begun in an earlier read
    in_.append(bytes);
    return parseBuffered(sink);
  }
  std::size_t used = 0;  // the usual case: whole frames parsed where they were read
  if (!parseFrames(bytes, used, sink)) return false;
  in_.append(bytes.substr(used));
  return true;
}

bool LoadClient::parseHandshake() {
  auto end = in_.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  if (in_.compare(0, 12, "HTTP/1.1 101") != 0)
    return fail("handshake refused: " + in_.substr(0, in_.find('\r')));
  in_.erase(0, end + 4);
  if (flavor_ == Flavor::Hub) {
    state_ = State::Hello;
    std::string hello = R"({"op":"hello","token":")" + token_ + "\"}";
    return sendFrame(1, hello) && flush();
  }
  state_ = State::Opening;  // waiting for Engine.IO's "0{...}" open packet
  return flush();
}

bool LoadClient::parseFrames(std::string_view bytes, std::size_t& used, FrameSink& sink) {
  for (;;) {
    const std::size_t avail = bytes.size() - used;
    if (avail < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + used);
    const bool fin = p[0] & 0x80;
    const int opcode = p[0] & 0x0f;
    std::size_t len = p[1] & 0x7f;
    std::size_t h = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (std::size_t{p[2]} << 8) | p[3];
      h = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      h = 10;
    }
    if (p[1] & 0x80) return fail("server masked a frame");
    if (avail < h + len) break;
    std::string_view payload(bytes.data() + used + h, len);
    used += h + len;
    if (opcode == 8)
      return fail("close frame from server: " +
                  std::string(payload.substr(payload.size() > 2 ? 2 : payload.size())));
    if (opcode == 9) {
      if (!sendFrame(10, payload)) return false;
      continue;
    }
    if (opcode == 10) continue;
    if (opcode == 0 || !fin) {  // fragmented message: collect, deliver at the final frame
      fragment_.append(payload);
      if (!fin) continue;
      std::string whole;
      whole.swap(fragment_);
      if (!onMessage(whole, sink)) return false;
      continue;
    }
    if (!onMessage(payload, sink)) return false;
  }
  return true;
}

bool LoadClient::parseBuffered(FrameSink& sink) {
  std::size_t used = 0;
  const bool open = parseFrames(in_, used, sink);
  if (open) in_.erase(0, used);
  return open;
}

bool LoadClient::onMessage(std::string_view text, FrameSink& sink) {
  if (flavor_ == Flavor::SocketIo) {
    if (text.empty()) return true;
    if (text == "2") return sendFrame(1, "3");
    if (state_ == State::Opening) {  // "0{...}" open: connect the namespace; "40{...}": it is
      if (text.rfind("40", 0) == 0) {
        state_ = State::Hello;
        return sendCommand(R"({"op":"hello","token":")" + token_ + "\"}");
      }
      if (text[0] == '0') return sendFrame(1, "40");
    }
    if (text.rfind("41", 0) == 0) return fail("namespace disconnect");
    if (text.rfind("42", 0) != 0) return true;
  }
  if (state_ == State::Hello && text.find("\"type\":\"welcome\"") != std::string_view::npos) {
    state_ = State::Joining;
    if (!sendCommand(R"({"op":"join","room":")" + room_ + "\"}")) return false;
  } else if (state_ == State::Joining && text.find("\"type\":\"joined\"") != std::string_view::npos) {
    state_ = State::Ready;
  } else if (state_ < State::Ready && text.find("\"type\":\"error\"") != std::string_view::npos) {
    return fail("error before ready: " + std::string(text.substr(0, 200)));
  }
  sink.onText(index_, text);
  return true;
}

}  // namespace hub::bench
