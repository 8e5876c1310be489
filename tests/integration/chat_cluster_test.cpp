// tests/integration/chat_cluster_test.cpp
//
// Three `hub serve --role chat` nodes on one Redis (a private one, so the test can kill it) and
// one shared SQLite file, 300 raw WebSocket clients spread over them. Every client must get
// every message exactly once and in each sender's order, with ids increasing across nodes; the
// likes totals must agree on every node. Then Redis is killed and started again (empty):
// delivery resumes on every node, and clients that were away recover what they missed by
// joining with `since`.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/auth/token.h"
#include "tests/integration/hub_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

namespace hub::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kSecret = "cluster-test-secret-0123456789";
const std::string kAdmin = "cluster-admin-token";
const std::string kRoom = "gala";
constexpr int kNodes = 3;
constexpr int kClients = 300;
constexpr int kSenders = 9;  // clients 0..8: three on each node
constexpr int kPerSender = 20;

std::string token(std::int64_t id) {
  auth::TokenClaims c;
  c.userId = id;
  c.name = "u" + std::to_string(id);
  c.role = auth::Role::User;
  c.expires =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      3600;
  return auth::signToken(c, kSecret);
}

// What one client saw of the room, filled by its own thread.
struct Seen {
  std::mutex mu;
  std::vector<std::uint64_t> ids;  // message ids in arrival order
  std::vector<std::string> texts;  // message texts in arrival order
  std::uint64_t likesTotal = 0;    // the last likes total
  std::optional<json> joined;
  int closeCode = 0;

  std::size_t count() {
    std::lock_guard lock(mu);
    return ids.size();
  }
  std::uint64_t lastId() {
    std::lock_guard lock(mu);
    return ids.empty() ? 0 : ids.back();
  }
};

// One client on its own thread: hello, join (with `since` when given), then reads until told to
// stop; sends what the test queues for it between reads.
class Client {
 public:
  Client(int index, int port, std::optional<std::uint64_t> since = std::nullopt)
      : index_(index), port_(port), since_(since), thread_([this] { run(); }) {}
  ~Client() {
    stop_ = true;
    thread_.join();
  }
  bool ready() const { return ready_.load(); }
  bool failed() const { return failed_.load(); }
  void queue(json cmd) {
    std::lock_guard lock(outMu_);
    out_.push_back(cmd.dump());
  }
  Seen& seen() { return seen_; }
  int index() const { return index_; }

 private:
  void run() {
    TestClient c("127.0.0.1", port_);
    if (c.wsHandshake("/ws", "") != 101) return fail();
    c.wsSend(json{{"op", "hello"}, {"token", token(1000 + index_)}}.dump());
    json join = {{"op", "join"}, {"room", kRoom}};
    if (since_) join["since"] = *since_;
    bool welcomed = false;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!stop_) {
      std::vector<std::string> out;
      {
        std::lock_guard lock(outMu_);
        out.swap(out_);
      }
      for (auto& o : out) c.wsSend(o);
      auto f = c.wsRead(20ms);
      if (!f) {
        if (!ready_ && std::chrono::steady_clock::now() > deadline) return fail();
        continue;
      }
      if (f->opcode == 8) {
        std::lock_guard lock(seen_.mu);
        seen_.closeCode = f->payload.size() >= 2 ? (static_cast<unsigned char>(f->payload[0]) << 8) |
                                                       static_cast<unsigned char>(f->payload[1])
                                                 : 1005;
        return;
      }
      auto j = json::parse(f->payload, nullptr, false);
      std::vector<json> events;
      if (j.is_array())
        for (auto& e : j) events.push_back(e);
      else
        events.push_back(j);
      for (auto& e : events) {
        const std::string type = e.value("type", "");
        if (type == "welcome" && !welcomed) {
          welcomed = true;
          c.wsSend(join.dump());
        } else if (type == "joined") {
          std::lock_guard lock(seen_.mu);
          seen_.joined = e;
          ready_ = true;
        } else if (type == "message") {
          std::lock_guard lock(seen_.mu);
          seen_.ids.push_back(e.value("id", std::uint64_t{0}));
          seen_.texts.push_back(e.value("text", ""));
        } else if (type == "likes") {
          std::lock_guard lock(seen_.mu);
          seen_.likesTotal = e.value("total", std::uint64_t{0});
        } else if (type == "error" && !ready_) {
          return fail();
        }
      }
    }
  }
  void fail() { failed_ = true; }

  const int index_;
  const int port_;
  const std::optional<std::uint64_t> since_;
  Seen seen_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::atomic<bool> failed_{false};
  std::mutex outMu_;
  std::vector<std::string> out_;
  std::thread thread_;
};

bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class ChatClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sqlUrl = "sqlite://" + shared_.path() + "/hub.db";
    for (int i = 0; i < kNodes; ++i) {
      nodes_.push_back(std::make_unique<HubProcess>(std::vector<std::string>{
          "--role", "chat", "--bus-url", redis_.url(), "--sql-url", sqlUrl, "--auth-secret", kSecret,
          "--admin-token", kAdmin, "--chat-rate-burst", "1000", "--chat-max-connections-per-ip", "1000",
          "--chat-likes-interval-ms", "100", "--chat-history", "500"}));
      ASSERT_TRUE(nodes_.back()->waitReady(30000)) << nodes_.back()->log();
      if (i == 0) {  // the room lives in the shared database: create it once, before the others start
        TestClient c("127.0.0.1", nodes_[0]->httpPort());
        auto r = c.request("POST", "/api/v1/rooms",
                           "Authorization: Bearer " + kAdmin + "\r\nContent-Type: application/json\r\n",
                           json{{"name", kRoom}}.dump());
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 201) << r->body;
      }
    }
  }
  void TearDown() override {
    clients_.clear();
    for (auto& n : nodes_) EXPECT_EQ(n->terminate(), 0) << n->log();
  }
  int port(int client) const { return nodes_[static_cast<std::size_t>(client % kNodes)]->httpPort(); }

  // Each sender sends kPerSender messages "s<sender>:<round>:<seq>", interleaved.
  void sendRound(int round) {
    for (int seq = 0; seq < kPerSender; ++seq)
      for (int s = 0; s < kSenders; ++s)
        clients_[static_cast<std::size_t>(s)]->queue(
            {{"op", "send"},
             {"room", kRoom},
             {"text", "s" + std::to_string(s) + ":" + std::to_string(round) + ":" + std::to_string(seq)}});
  }

  // Every client saw each message of `round` once, each sender's in order, ids increasing.
  void checkRound(Client& c, int round, std::size_t from) {
    std::lock_guard lock(c.seen().mu);
    const auto& texts = c.seen().texts;
    const auto& ids = c.seen().ids;
    std::map<int, int> nextSeq;
    std::set<std::uint64_t> unique;
    for (std::size_t i = from; i < texts.size(); ++i) {
      int s = -1, r = -1, q = -1;
      ASSERT_EQ(std::sscanf(texts[i].c_str(), "s%d:%d:%d", &s, &r, &q), 3) << texts[i];
      if (r != round) continue;
      EXPECT_EQ(q, nextSeq[s]) << "client " << c.index() << " sender " << s << ": out of order or duplicated";
      nextSeq[s] = q + 1;
      EXPECT_TRUE(unique.insert(ids[i]).second) << "client " << c.index() << " got id " << ids[i] << " twice";
      if (i > from) {
        EXPECT_GT(ids[i], ids[i - 1]) << "client " << c.index() << ": ids not increasing";
      }
    }
    for (int s = 0; s < kSenders; ++s)
      EXPECT_EQ(nextSeq[s], kPerSender) << "client " << c.index() << " sender " << s;
  }

  TempDir shared_;
  RedisServer redis_;
  std::vector<std::unique_ptr<HubProcess>> nodes_;
  std::vector<std::unique_ptr<Client>> clients_;
};

TEST_F(ChatClusterTest, EveryClientGetsEveryMessageOnceInOrderAndRecoversAfterARedisRestart) {
  for (int i = 0; i < kClients; ++i) clients_.push_back(std::make_unique<Client>(i, port(i)));
  ASSERT_TRUE(waitUntil(
      [&] {
        for (auto& c : clients_)
          if (!c->ready() || c->failed()) return false;
        return true;
      },
      60s))
      << "not every client joined";

  // Round 0: 9 senders on 3 nodes, 180 messages, 54,000 deliveries.
  sendRound(0);
  const std::size_t total = kSenders * kPerSender;
  ASSERT_TRUE(waitUntil(
      [&] {
        for (auto& c : clients_)
          if (c->seen().count() < total) return false;
        return true;
      },
      60s))
      << "not every client got every message";
  std::this_thread::sleep_for(300ms);  // duplicates would show now
  for (auto& c : clients_) {
    EXPECT_EQ(c->seen().count(), total) << "client " << c->index();
    checkRound(*c, 0, 0);
  }

  // Likes: every client likes twice; every node reports the same total to its viewers.
  for (auto& c : clients_) c->queue({{"op", "like"}, {"room", kRoom}, {"count", 2}});
  EXPECT_TRUE(waitUntil(
      [&] {
        for (auto& c : clients_) {
          std::lock_guard lock(c->seen().mu);
          if (c->seen().likesTotal != 2u * kClients) return false;
        }
        return true;
      },
      30s))
      << "likes totals disagree across nodes";

  // 30 clients (10 per node) go away; Redis dies and comes back empty.
  const std::uint64_t lastBefore = clients_.back()->seen().lastId();
  std::vector<std::uint64_t> awaySince;
  for (int i = 0; i < 30; ++i) {
    awaySince.push_back(clients_.back()->seen().lastId());
    clients_.pop_back();
  }
  redis_.stop();
  std::this_thread::sleep_for(1500ms);
  redis_.start();
  // Wait until every node's fan-out engine says it is connected again (hub_chat_engine_up).
  ASSERT_TRUE(waitUntil(
      [&] {
        for (auto& n : nodes_) {
          TestClient c("127.0.0.1", n->httpPort());
          auto r = c.request("GET", "/metrics", "Authorization: Bearer " + kAdmin + "\r\n");
          if (!r || r->status != 200 || r->body.find("\nhub_chat_engine_up 1") == std::string::npos)
            return false;
        }
        return true;
      },
      30s))
      << "the nodes' engines did not reconnect after Redis came back";

  // Round 1 after the restart: every remaining client gets all of it, ids go on increasing.
  std::vector<std::size_t> before;
  for (auto& c : clients_) before.push_back(c->seen().count());
  sendRound(1);
  ASSERT_TRUE(waitUntil(
      [&] {
        for (std::size_t i = 0; i < clients_.size(); ++i)
          if (clients_[i]->seen().count() < before[i] + total) return false;
        return true;
      },
      60s))
      << "delivery did not resume on every node";
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    EXPECT_EQ(clients_[i]->seen().count(), before[i] + total);
    checkRound(*clients_[i], 1, before[i]);
    std::lock_guard lock(clients_[i]->seen().mu);
    EXPECT_GT(clients_[i]->seen().ids[before[i]], lastBefore) << "ids started again after the restart";
  }

  // The clients that were away come back (each to another node) with `since`: they get exactly
  // what they missed, from the history.
  std::vector<std::unique_ptr<Client>> back;
  for (int i = 0; i < 30; ++i)
    back.push_back(std::make_unique<Client>(kClients + i, port(i + 1), awaySince[i]));
  ASSERT_TRUE(waitUntil(
      [&] {
        for (auto& c : back)
          if (c->seen().count() < total || c->failed()) return false;
        return true;
      },
      30s))
      << "returning clients did not recover the gap";
  for (auto& c : back) {
    std::lock_guard lock(c->seen().mu);
    ASSERT_TRUE(c->seen().joined);
    EXPECT_TRUE((*c->seen().joined)["recovered"].get<bool>()) << *c->seen().joined;
  }
  for (auto& c : back) checkRound(*c, 1, 0);
}

}  // namespace
}  // namespace hub::test
