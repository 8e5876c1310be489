// tests/integration/chat_fixture.h
//
// What the chat integration tests share: a real `hub serve` started per test (ChatTest), raw
// WebSocket clients speaking the chat protocol (ChatClient) and signed tokens.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/auth/token.h"
#include "tests/integration/hub_process.h"
#include "tests/support/test_client.h"

namespace hub::test {

using json = nlohmann::json;
using namespace std::chrono_literals;  // test code only: 5s reads better than seconds(5)

inline const std::string kSecret = "chat-test-secret-0123456789";
inline const std::string kAdmin = "chat-admin-token";

inline std::string token(const std::string& name, auth::Role role, std::int64_t id, std::int64_t ttl = 3600) {
  auth::TokenClaims c;
  c.userId = id;
  c.name = name;
  c.role = role;
  c.expires =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      ttl;
  return auth::signToken(c, kSecret);
}

// One WebSocket client speaking the chat protocol.
class ChatClient {
 public:
  ChatClient(int port, const std::string& origin = "") : c_("127.0.0.1", port) {
    status_ = c_.wsHandshake("/ws", origin);
  }
  int status() const { return status_; }
  bool send(const json& j) { return c_.wsSend(j.dump()); }
  bool sendRaw(const std::string& s) { return c_.wsSend(s); }

  // Next text frame as JSON, or a close frame as {"close":code}; nullopt on timeout. A frame
  // holding a JSON array (several events) is split into its events.
  std::optional<json> next(std::chrono::milliseconds timeout = 5s) {
    if (!pending_.empty()) {
      auto j = pending_.front();
      pending_.erase(pending_.begin());
      return j;
    }
    auto f = c_.wsRead(timeout);
    if (!f) return std::nullopt;
    if (f->opcode == 8) {
      int code = f->payload.size() >= 2 ? (static_cast<unsigned char>(f->payload[0]) << 8) |
                                              static_cast<unsigned char>(f->payload[1])
                                        : 1005;
      return json{{"close", code}};
    }
    auto j = json::parse(f->payload, nullptr, false);
    if (j.is_array()) {
      for (auto& e : j) pending_.push_back(e);
      return next(timeout);
    }
    return j;
  }
  // The events of the next text frame as sent (several when the server packed them into one
  // array); nullopt on timeout or a close. Events already split off by next() come first, one
  // by one.
  std::optional<std::vector<json>> frame(std::chrono::milliseconds timeout = 5s) {
    if (!pending_.empty()) {
      std::vector<json> one{pending_.front()};
      pending_.erase(pending_.begin());
      return one;
    }
    auto f = c_.wsRead(timeout);
    if (!f || f->opcode != 1) return std::nullopt;
    auto j = json::parse(f->payload, nullptr, false);
    if (j.is_array()) return std::vector<json>(j.begin(), j.end());
    return std::vector<json>{j};
  }
  // Skips frames until one of `type` (or a close); nullopt on timeout.
  std::optional<json> until(const std::string& type, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto j = next(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!j) return std::nullopt;
      if (j->contains("close") || (*j)["type"] == type) return j;
    }
    return std::nullopt;
  }
  // The close code the server sent, or -1.
  int closeCode(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto j = next(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!j) return -1;
      if (j->contains("close")) return (*j)["close"];
    }
    return -1;
  }
  json hello(const std::string& t) {
    send({{"op", "hello"}, {"token", t}});
    auto j = next();
    return j ? *j : json();
  }
  json join(const std::string& room, std::optional<std::uint64_t> since = std::nullopt) {
    json cmd = {{"op", "join"}, {"room", room}};
    if (since) cmd["since"] = *since;
    send(cmd);
    auto j = until("joined");
    return j ? *j : json();
  }

 private:
  TestClient c_;
  int status_ = 0;
  std::vector<json> pending_;
};

class ChatTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--auth-secret", kSecret,          "--admin-token",
                                     kAdmin,          "--chat-origins", "https://ok.example"};
    args.insert(args.end(), extra.begin(), extra.end());
    hub_ = std::make_unique<HubProcess>(args);
    ASSERT_TRUE(hub_->waitReady()) << hub_->log();
  }
  void TearDown() override {
    if (hub_) {
      EXPECT_EQ(hub_->terminate(), 0) << hub_->log();
    }
  }
  int port() const { return hub_->httpPort(); }
  std::optional<RawResponse> api(const std::string& method, const std::string& path,
                                 const std::string& body = "") {
    TestClient c("127.0.0.1", port());
    std::string headers = "Authorization: Bearer " + kAdmin + "\r\n";
    if (!body.empty()) headers += "Content-Type: application/json\r\n";
    return c.request(method, path, headers, body);
  }
  void createRoom(const std::string& name) {
    auto r = api("POST", "/api/v1/rooms", json{{"name", name}}.dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
  }
  // A client that passed hello as `name` with `role` and joined `room`.
  std::unique_ptr<ChatClient> member(const std::string& room, const std::string& name, auth::Role role,
                                     std::int64_t id) {
    auto c = std::make_unique<ChatClient>(port());
    EXPECT_EQ(c->status(), 101);
    auto w = c->hello(token(name, role, id));
    EXPECT_EQ(w["type"], "welcome") << w;
    auto j = c->join(room);
    EXPECT_EQ(j["type"], "joined") << j;
    return c;
  }

  std::unique_ptr<HubProcess> hub_;
};

}  // namespace hub::test
