// tests/support/test_client.h
//
// A deliberately dumb HTTP/1.1 + WebSocket client over raw sockets, so tests control every byte
// (slowloris, pipelining, half-sent bodies) and never depend on a client library's behaviour.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace hub::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  // Connects to host:port (IPv4 or IPv6 literal); check connected().
  TestClient(const std::string& host, int port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool sendRaw(const std::string& bytes);
  // Reads one response; `headOnly` for HEAD (Content-Length without body). nullopt on timeout
  // or close before a full response.
  std::optional<RawResponse> readResponse(bool headOnly = false,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // One request with Connection: keep-alive, then its response.
  std::optional<RawResponse> request(const std::string& method, const std::string& path,
                                     const std::string& extraHeaders = "", const std::string& body = "");
  // True when the server closed the connection (read returns 0 or reset) within `timeout`.
  bool waitClosed(std::chrono::milliseconds timeout);

  // WebSocket: handshake on `path` with an optional Origin; returns the status (101 on success).
  // `after` goes out in the same write as the upgrade request (frames a client sends at once).
  int wsHandshake(const std::string& path, const std::string& origin, const std::string& after = "");
  bool wsSend(const std::string& payload, bool binary = false, bool fin = true, int opcode = -1);
  // The bytes of one masked client frame (what wsSend writes).
  static std::string wsFrame(const std::string& payload, bool binary = false, bool fin = true,
                             int opcode = -1);
  struct Frame {
    int opcode = 0;
    std::string payload;
  };
  std::optional<Frame> wsRead(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
};

}  // namespace hub::test
