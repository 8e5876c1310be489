// core/http/tests/test_client.cpp
//
// Blocking reads with poll() deadlines; enough HTTP parsing for Content-Length bodies.
#include "tests/support/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace hub::test {

TestClient::TestClient(const std::string& host, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return;
    len = sizeof *a;
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::sendRaw(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool TestClient::fill(std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char tmp[65536];
  auto n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<std::size_t>(n));
  return true;
}

std::optional<RawResponse> TestClient::readResponse(bool headOnly, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) return std::nullopt;
  RawResponse r;
  std::string head = buf_.substr(0, end);
  buf_.erase(0, end + 4);
  auto lineEnd = head.find("\r\n");
  std::string status = head.substr(0, lineEnd);
  auto sp = status.find(' ');
  if (sp == std::string::npos) return std::nullopt;
  r.status = std::atoi(status.c_str() + sp + 1);
  std::size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
  while (pos < head.size()) {
    auto e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    pos = e + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  std::size_t length = 0;
  if (r.headers.count("content-length")) length = std::stoul(r.headers["content-length"]);
  if (headOnly || r.status == 304 || r.status == 204 || r.status == 101) length = 0;
  while (buf_.size() < length)
    if (!fill(deadline)) return std::nullopt;
  r.body = buf_.substr(0, length);
  buf_.erase(0, length);
  return r;
}

std::optional<RawResponse> TestClient::request(const std::string& method, const std::string& path,
                                               const std::string& extraHeaders, const std::string& body) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders;
  if (!body.empty() || method == "POST" || method == "PUT")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (!sendRaw(req)) return std::nullopt;
  return readResponse(method == "HEAD");
}

bool TestClient::waitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char tmp[4096];
    auto n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
  }
  return false;
}

int TestClient::wsHandshake(const std::string& path, const std::string& origin, const std::string& after) {
  std::string req = "GET " + path +
                    " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (!origin.empty()) req += "Origin: " + origin + "\r\n";
  req += "\r\n";
  if (!sendRaw(req + after)) return -1;
  auto r = readResponse(true, std::chrono::seconds(5));
  return r ? r->status : -1;
}

bool TestClient::wsSend(const std::string& payload, bool binary, bool fin, int opcode) {
  return sendRaw(wsFrame(payload, binary, fin, opcode));
}

std::string TestClient::wsFrame(const std::string& payload, bool binary, bool fin, int opcode) {
  std::string f;
  int op = opcode >= 0 ? opcode : (binary ? 2 : 1);
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | op));
  std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  for (unsigned char m : mask) f.push_back(static_cast<char>(m));
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

std::optional<TestClient::Frame> TestClient::wsRead(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buf_.size() < 2)
    if (!fill(deadline)) return std::nullopt;
  auto b0 = static_cast<unsigned char>(buf_[0]), b1 = static_cast<unsigned char>(buf_[1]);
  std::size_t hdr = 2, len = b1 & 0x7f;
  if (len == 126) hdr = 4;
  if (len == 127) hdr = 10;
  while (buf_.size() < hdr)
    if (!fill(deadline)) return std::nullopt;
  if (len == 126) len = (static_cast<unsigned char>(buf_[2]) << 8) | static_cast<unsigned char>(buf_[3]);
  if (len == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(buf_[i]);
  }
  while (buf_.size() < hdr + len)
    if (!fill(deadline)) return std::nullopt;
  Frame f{b0 & 0x0f, buf_.substr(hdr, len)};
  buf_.erase(0, hdr + len);
  return f;
}

}  // namespace hub::test
