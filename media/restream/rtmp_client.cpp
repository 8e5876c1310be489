// media/restream/rtmp_client.cpp
//
// Blocking RTMP publisher on one socket; see rtmp_client.h.
#include "media/restream/rtmp_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "media/rtmp/control_messages.h"

namespace hub::media::restream {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kSlice{100};
constexpr std::uint32_t kCommandChunkStream = 3;
constexpr std::uint32_t kVideoChunkStream = 4;
constexpr std::uint32_t kAudioChunkStream = 6;
constexpr std::size_t kHandshakeSize = 1536;
constexpr std::uint32_t kAckWindow = 2500000;

Error sysError(std::string code, const std::string& what) {
  return makeError(std::move(code), what + ": " + std::strerror(errno));
}

std::string commandName(const std::vector<rtmp::Amf0Value>& values) {
  return !values.empty() && values[0].isString() ? values[0].asString() : std::string();
}

// The "code" of an onStatus info object, or "".
std::string statusCode(const std::vector<rtmp::Amf0Value>& values) {
  for (const auto& v : values)
    if (const auto* code = v.get("code"); code && code->isString()) return code->asString();
  return {};
}

}  // namespace

RtmpClient::RtmpClient(RtmpUrl url, const RestreamOptions& options, const std::atomic<bool>& stop)
    : url_(std::move(url)), options_(options), stop_(stop), writer_(128) {}

RtmpClient::~RtmpClient() {
  if (fd_ >= 0) ::close(fd_);
}

Status RtmpClient::connectTcp() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(url_.port);
  if (int rc = ::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return makeError("restream.connect", "resolve " + url_.host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, &::freeaddrinfo);
  const auto deadline = SteadyClock::now() + options_.connectTimeout;
  Error last = makeError("restream.connect", "no address for " + url_.host);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = sysError("restream.connect", "socket");
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = sysError("restream.connect", "connect " + url_.host + ":" + port);
      ::close(fd);
      continue;
    }
    bool connected = false;
    while (!stop_ && SteadyClock::now() < deadline) {
      pollfd p{fd, POLLOUT, 0};
      int rc = ::poll(&p, 1, static_cast<int>(kSlice.count()));
      if (rc < 0 && errno != EINTR) break;
      if (rc > 0) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) {
          connected = true;
        } else {
          last =
              makeError("restream.connect", "connect " + url_.host + ":" + port + ": " + std::strerror(err));
        }
        break;
      }
    }
    if (connected) {
      fd_ = fd;
      int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return {};
    }
    ::close(fd);
    if (stop_) return makeError("restream.stopped", "stopped");
    if (SteadyClock::now() >= deadline)
      return makeError("restream.timeout", "connect " + url_.host + ":" + port + ": timed out");
  }
  return last;
}

Result<bool> RtmpClient::waitReadable(SteadyClock::time_point deadline) {
  while (!stop_) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return false;
    const auto left = std::min<std::chrono::milliseconds>(
        kSlice,
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1));
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno != EINTR) return sysError("restream.closed", "poll");
    if (rc > 0) return true;
  }
  return makeError("restream.stopped", "stopped");
}

Result<std::size_t> RtmpClient::readSome(std::uint8_t* buf, std::size_t cap) {
  ssize_t n = ::recv(fd_, buf, cap, MSG_DONTWAIT);
  if (n == 0) return makeError("restream.closed", "the server closed the connection");
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::size_t{0};
    return sysError("restream.closed", "recv");
  }
  return static_cast<std::size_t>(n);
}

Status RtmpClient::readExactly(std::uint8_t* buf, std::size_t n, SteadyClock::time_point deadline) {
  std::size_t got = 0;
  while (got < n) {
    auto ready = waitReadable(deadline);
    if (!ready) return ready.error();
    if (!*ready) return makeError("restream.timeout", "no answer from the server");
    auto r = readSome(buf + got, n - got);
    if (!r) return r.error();
    got += *r;
  }
  return {};
}

Status RtmpClient::sendRaw(const rtmp::Bytes& bytes) {
  std::size_t off = 0;
  const auto deadline = SteadyClock::now() + options_.sendTimeout;
  while (off < bytes.size()) {
    if (stop_) return makeError("restream.stopped", "stopped");
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      bytesSent_ += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return sysError("restream.send", "send");
    const auto now = SteadyClock::now();
    if (now >= deadline)
      return makeError("restream.timeout", "the target accepted nothing for " +
                                               std::to_string(options_.sendTimeout.count()) + " ms");
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(kSlice.count()));
  }
  return {};
}

Status RtmpClient::sendMessage(std::uint32_t csid, const rtmp::Message& m) {
  rtmp::Bytes out;
  writer_.write(csid, m, out);
  return sendRaw(out);
}

Status RtmpClient::sendCommand(std::uint32_t csid, std::uint32_t streamId,
                               const std::vector<rtmp::Amf0Value>& values) {
  rtmp::Message m;
  m.typeId = rtmp::msg::kCommandAmf0;
  m.streamId = streamId;
  m.payload = rtmp::encodeAmf0(values);
  return sendMessage(csid, m);
}

Status RtmpClient::handshake() {
  rtmp::Bytes c0c1(1 + kHandshakeSize);
  c0c1[0] = 3;
  std::mt19937 rng(std::random_device{}());
  for (std::size_t i = 9; i < c0c1.size(); ++i) c0c1[i] = static_cast<std::uint8_t>(rng());
  if (auto s = sendRaw(c0c1); !s) return s.error().wrap("handshake");
  rtmp::Bytes s0s1s2(1 + 2 * kHandshakeSize);
  const auto deadline = SteadyClock::now() + options_.connectTimeout;
  if (auto s = readExactly(s0s1s2.data(), s0s1s2.size(), deadline); !s) return s.error().wrap("handshake");
  if (s0s1s2[0] != 3)
    return makeError("restream.handshake", "server answered RTMP version " + std::to_string(s0s1s2[0]));
  rtmp::Bytes c2(s0s1s2.begin() + 1, s0s1s2.begin() + 1 + static_cast<std::ptrdiff_t>(kHandshakeSize));
  if (auto s = sendRaw(c2); !s) return s.error().wrap("handshake");
  return {};
}

Status RtmpClient::handle(const rtmp::Message& m) {
  if (m.typeId == rtmp::msg::kUserControl && m.payload.size() >= 6 && rtmp::readU16(m.payload.data()) == 6) {
    auto pong = rtmp::userControlMessage(7, rtmp::readU32(m.payload.data() + 2));
    return sendMessage(rtmp::kControlChunkStream, pong);
  }
  return {};
}

Result<std::vector<rtmp::Amf0Value>> RtmpClient::awaitReply(double transaction) {
  const auto deadline = SteadyClock::now() + options_.connectTimeout;
  std::uint8_t buf[16384];
  for (;;) {
    while (!pending_.empty()) {
      rtmp::Message m = std::move(pending_.front());
      pending_.erase(pending_.begin());
      if (auto s = handle(m); !s) return s.error();
      if (m.typeId != rtmp::msg::kCommandAmf0) continue;
      auto values = rtmp::decodeAmf0(m.payload);
      if (!values) return values.error().wrap("restream.protocol");
      const std::string name = commandName(*values);
      if (transaction == 0) {
        if (name == "onStatus") return values;
        continue;
      }
      if ((name == "_result" || name == "_error") && values->size() > 1 && (*values)[1].isNumber() &&
          (*values)[1].asNumber() == transaction)
        return values;
    }
    auto ready = waitReadable(deadline);
    if (!ready) return ready.error();
    if (!*ready) return makeError("restream.timeout", "no answer from the server");
    auto n = readSome(buf, sizeof buf);
    if (!n) return n.error();
    auto msgs = reader_.feed(rtmp::ByteView(buf, *n));
    if (!msgs) return msgs.error().wrap("restream.protocol");
    for (auto& m : *msgs) pending_.push_back(std::move(m));
  }
}

Status RtmpClient::open() {
  using rtmp::Amf0Value;
  if (auto s = connectTcp(); !s) return s;
  if (auto s = handshake(); !s) return s;
  if (auto s = sendMessage(rtmp::kControlChunkStream, rtmp::setChunkSizeMessage(options_.chunkSize)); !s)
    return s;
  writer_.setChunkSize(options_.chunkSize);
  if (auto s = sendMessage(rtmp::kControlChunkStream, rtmp::windowAckSizeMessage(kAckWindow)); !s) return s;

  std::vector<rtmp::Amf0Property> props{
      {"app", Amf0Value::string(url_.app)},
      {"type", Amf0Value::string("nonprivate")},
      {"flashVer", Amf0Value::string("FMLE/3.0 (compatible; hub)")},
      {"tcUrl", Amf0Value::string(url_.tcUrl)},
  };
  if (auto s = sendCommand(kCommandChunkStream, 0,
                           {Amf0Value::string("connect"), Amf0Value::number(1), Amf0Value::object(props)});
      !s)
    return s;
  auto connected = awaitReply(1);
  if (!connected) return connected.error().wrap("connect");
  if (commandName(*connected) != "_result")
    return makeError("restream.rejected", "connect refused: " + statusCode(*connected));

  const auto name = Amf0Value::string(url_.stream);
  if (auto s =
          sendCommand(kCommandChunkStream, 0,
                      {Amf0Value::string("releaseStream"), Amf0Value::number(2), Amf0Value::null(), name});
      !s)
    return s;
  if (auto s = sendCommand(kCommandChunkStream, 0,
                           {Amf0Value::string("FCPublish"), Amf0Value::number(3), Amf0Value::null(), name});
      !s)
    return s;
  if (auto s = sendCommand(kCommandChunkStream, 0,
                           {Amf0Value::string("createStream"), Amf0Value::number(4), Amf0Value::null()});
      !s)
    return s;
  auto created = awaitReply(4);
  if (!created) return created.error().wrap("createStream");
  if (commandName(*created) != "_result" || created->size() < 4 || !(*created)[3].isNumber())
    return makeError("restream.rejected", "createStream refused");
  streamId_ = static_cast<std::uint32_t>((*created)[3].asNumber());

  if (auto s = sendCommand(kVideoChunkStream, streamId_,
                           {Amf0Value::string("publish"), Amf0Value::number(5), Amf0Value::null(), name,
                            Amf0Value::string("live")});
      !s)
    return s;
  for (;;) {
    auto status = awaitReply(0);
    if (!status) return status.error().wrap("publish");
    const std::string code = statusCode(*status);
    if (code == "NetStream.Publish.Start") break;
    if (code.find("Publish") != std::string::npos || code.find("Failed") != std::string::npos ||
        code.find("Rejected") != std::string::npos)
      return makeError("restream.rejected", "publish refused: " + code);
  }
  published_ = true;
  return {};
}

Status RtmpClient::sendMedia(std::uint8_t typeId, std::uint32_t timestampMs, const rtmp::Bytes& body) {
  rtmp::Message m;
  m.typeId = typeId;
  m.streamId = streamId_;
  m.timestamp = timestampMs;
  m.payload = body;
  return sendMessage(typeId == rtmp::msg::kAudio ? kAudioChunkStream : kVideoChunkStream, m);
}

Status RtmpClient::service() {
  std::uint8_t buf[16384];
  for (;;) {
    auto n = readSome(buf, sizeof buf);
    if (!n) return n.error();
    if (*n == 0) break;
    auto msgs = reader_.feed(rtmp::ByteView(buf, *n));
    if (!msgs) return msgs.error().wrap("restream.protocol");
    for (const auto& m : *msgs)
      if (auto s = handle(m); !s) return s;
  }
  // Acknowledge what the server sent when it asked for acknowledgements.
  if (auto window = reader_.peerWindowAckSize();
      window && *window > 0 && reader_.bytesReceived() - lastAckSent_ >= *window) {
    lastAckSent_ = reader_.bytesReceived();
    return sendMessage(rtmp::kControlChunkStream,
                       rtmp::acknowledgementMessage(static_cast<std::uint32_t>(lastAckSent_)));
  }
  return {};
}

void RtmpClient::close() {
  using rtmp::Amf0Value;
  if (fd_ < 0) return;
  if (published_) {
    const auto name = Amf0Value::string(url_.stream);
    (void)sendCommand(kCommandChunkStream, 0,
                      {Amf0Value::string("FCUnpublish"), Amf0Value::number(6), Amf0Value::null(), name});
    (void)sendCommand(kCommandChunkStream, 0,
                      {Amf0Value::string("deleteStream"), Amf0Value::number(7), Amf0Value::null(),
                       Amf0Value::number(streamId_)});
    published_ = false;
  }
  ::shutdown(fd_, SHUT_WR);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace hub::media::restream
