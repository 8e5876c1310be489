// core/http/tests/websocket_test.cpp
//
// WebSocket endpoints: Origin check at the handshake, echo with fragment reassembly, the size
// limit (1009), sends from another thread, frames cut short by a full socket, packing,
// coalescing, send batches and where a held frame's time went (/metrics), a write pass longer
// than a chunk, the gap a loop with many connections leaves between two polls, and 1001 on
// shutdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/http/mailbox.h"
#include "core/http/server.h"
#include "tests/support/test_client.h"

namespace hub::http {
namespace {

using namespace std::chrono_literals;
using hub::test::TestClient;

// The status code at the start of a close frame's payload.
int closeCode(const std::string& payload) {
  return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

// A server on the epoll loop (libev) or on lws' own poll() loop, its fall-back (the parameter),
// that keeps the server-side handle of every client that opens.
class WsServerTest : public ::testing::TestWithParam<bool> {
 protected:
  void make(unsigned threads) {
    ServerOptions o;
    o.port = 0;
    o.threads = threads;
    o.epollLoop = GetParam();
    server_ = std::make_unique<Server>(o, registry_);
  }
  WsHandlers keeping() {
    WsHandlers h;
    h.onOpen = [this](const std::shared_ptr<WsConnection>& c) {
      std::lock_guard l(mu_);
      conns_.push_back(c);
    };
    return h;
  }
  // The server-side handles once n clients are open (empty after `waitMs`).
  std::vector<std::shared_ptr<WsConnection>> opened(std::size_t n, int waitMs = 1000) {
    for (int i = 0; i <= waitMs / 10; ++i) {
      {
        std::lock_guard l(mu_);
        if (conns_.size() >= n) return conns_;
      }
      std::this_thread::sleep_for(10ms);
    }
    return {};
  }

  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::shared_ptr<WsConnection>> conns_;
};

// Every case on both loops, two loop threads.
class WsTest : public WsServerTest {
 protected:
  void SetUp() override {
    make(2);
    WsHandlers h = keeping();
    h.onMessage = [](const std::shared_ptr<WsConnection>& c, std::string_view m, bool binary) {
      c->send(std::make_shared<const std::string>(m), binary);
    };
    h.onClose = [this](const std::shared_ptr<WsConnection>&, int code) { lastClose_ = code; };
    WsOptions wo;
    wo.allowedOrigins = {"https://hub.example"};
    wo.allowMissingOrigin = false;
    wo.maxMessageBytes = 1000;
    server_->addWebSocket("/ws", h, wo);
    wo.maxQueuedBytes = 256 * 1024;
    wo.overflowCloseCode = 4008;
    server_->addWebSocket("/ws-bytes", h, wo);
    wo.maxQueuedBytes = 0;
    wo.packJsonArrays = true;
    wo.packMaxBytes = 1024;
    server_->addWebSocket("/ws-packed", h, wo);
    wo.coalesce = 300ms;
    server_->addWebSocket("/ws-coalesced", h, wo);
    ASSERT_TRUE(server_->start());
  }

  // A series' value in the /metrics text (-1 when absent).
  double metric(const std::string& series) const {
    const std::string text = registry_.render();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
  }
  // The server-side handle of the first client, once onOpen has run (null after 1 s).
  std::shared_ptr<WsConnection> firstConnection() {
    const auto open = opened(1);
    return open.empty() ? nullptr : open.front();
  }

  std::atomic<int> lastClose_{0};
};

TEST_P(WsTest, EchoWithAllowedOrigin) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws", "https://hub.example"), 101);
  ASSERT_TRUE(c.wsSend("hello"));
  auto f = c.wsRead();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, 1);
  EXPECT_EQ(f->payload, "hello");
  // A message in three fragments arrives whole.
  ASSERT_TRUE(c.wsSend("ab", true, false, 2));
  ASSERT_TRUE(c.wsSend("cd", true, false, 0));
  ASSERT_TRUE(c.wsSend("ef", true, true, 0));
  f = c.wsRead();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, 2);
  EXPECT_EQ(f->payload, "abcdef");
  EXPECT_NE(registry_.render().find("hub_ws_connections 1"), std::string::npos);
}

TEST_P(WsTest, RefusesOtherOriginAndUnknownPath) {
  TestClient bad("127.0.0.1", server_->port());
  EXPECT_NE(bad.wsHandshake("/ws", "https://evil.example"), 101);
  TestClient none("127.0.0.1", server_->port());
  EXPECT_NE(none.wsHandshake("/ws", ""), 101);
  TestClient path("127.0.0.1", server_->port());
  EXPECT_NE(path.wsHandshake("/other", "https://hub.example"), 101);
}

TEST_P(WsTest, OversizeMessageClosesWith1009) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws", "https://hub.example"), 101);
  ASSERT_TRUE(c.wsSend(std::string(5000, 'x')));
  auto f = c.wsRead();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, 8);
  ASSERT_GE(f->payload.size(), 2u);
  EXPECT_EQ(closeCode(f->payload), 1009);
}

TEST_P(WsTest, SendFromAnotherThreadAndCloseOnStop) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  auto shared = std::make_shared<const std::string>("from afar");
  std::thread([&] { EXPECT_TRUE(conn->send(shared)); }).join();
  auto f = c.wsRead();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "from afar");
  server_->stop();
  auto close = c.wsRead(3s);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 8);
  EXPECT_EQ(closeCode(close->payload), 1001);
  EXPECT_FALSE(conn->send(shared));  // gone: refused, no crash
}

TEST_P(WsTest, SlowConsumerOverflowingItsQueueIsClosed) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  // 64 KiB messages to a client that does not read: the socket fills, then the queue (1024).
  auto big = std::make_shared<const std::string>(64 * 1024, 'z');
  bool refused = false;
  for (int i = 0; i < 20000 && !refused; ++i) refused = !conn->send(big);
  EXPECT_TRUE(refused);
  // The client sees data frames, then a 1008 close.
  for (int i = 0; i < 5000; ++i) {
    auto f = c.wsRead(5s);
    ASSERT_TRUE(f);
    if (f->opcode == 8) {
      EXPECT_EQ(closeCode(f->payload), 1008);
      return;
    }
  }
  FAIL() << "no close frame";
}

TEST_P(WsTest, QueueBoundedInBytesClosesWithTheRoutesCode) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-bytes", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  // 64 KiB messages to a client that does not read: once the socket is full, at most four of
  // them fit in the 256 KiB queue, far below the 1024-message limit.
  auto big = std::make_shared<const std::string>(64 * 1024, 'y');
  bool refused = false;
  std::size_t maxQueued = 0;
  for (int i = 0; i < 20000 && !refused; ++i) {
    refused = !conn->send(big);
    maxQueued = std::max(maxQueued, conn->queuedBytes());
  }
  ASSERT_TRUE(refused);
  EXPECT_TRUE(conn->overflowed());
  EXPECT_LE(maxQueued, 256u * 1024);
  for (int i = 0; i < 5000; ++i) {
    auto f = c.wsRead(5s);
    ASSERT_TRUE(f);
    if (f->opcode == 8) {
      EXPECT_EQ(closeCode(f->payload), 4008);
      return;
    }
  }
  FAIL() << "no close frame";
}

TEST(WsConnectionQueue, PopTextBatchTakesConsecutiveTextUpToTheCap) {
  auto mailbox = std::make_shared<Mailbox>();  // never attached: posts just wait
  WsConnection conn(mailbox, 1, Request{}, 100);
  auto msg = [](std::string s) { return std::make_shared<const std::string>(std::move(s)); };
  for (const char* t : {"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}) ASSERT_TRUE(conn.send(msg(t)));
  ASSERT_TRUE(conn.send(msg("bin"), true));
  ASSERT_TRUE(conn.send(msg(std::string(40, 'x'))));
  ASSERT_TRUE(conn.send(msg(std::string(40, 'y'))));
  std::vector<WsConnection::Outgoing> batch;
  bool more = false;
  ASSERT_TRUE(conn.popTextBatch(batch, 1024, more));
  ASSERT_EQ(batch.size(), 3u);  // stops before the binary one
  EXPECT_EQ(*batch[2].data, "{\"a\":3}");
  EXPECT_TRUE(more);
  ASSERT_TRUE(conn.popTextBatch(batch, 1024, more));
  ASSERT_EQ(batch.size(), 1u);  // a binary message goes alone
  EXPECT_TRUE(batch[0].binary);
  ASSERT_TRUE(conn.popTextBatch(batch, 60, more));
  ASSERT_EQ(batch.size(), 1u);  // the second one would pass the cap
  ASSERT_TRUE(conn.popTextBatch(batch, 60, more));
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(*batch[0].data, std::string(40, 'y'));
  EXPECT_FALSE(more);
  EXPECT_EQ(conn.queuedBytes(), 0u);
  EXPECT_FALSE(conn.popTextBatch(batch, 60, more));
}

TEST_P(WsTest, PackedRouteSendsQueuedMessagesAsJsonArraysInOrder) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-packed", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  constexpr int kMessages = 500;
  std::thread([&] {
    for (int i = 0; i < kMessages; ++i)
      EXPECT_TRUE(conn->send(std::make_shared<const std::string>("{\"n\":" + std::to_string(i) + "}")));
  }).join();
  int next = 0, frames = 0;
  while (next < kMessages) {
    auto f = c.wsRead(5s);
    ASSERT_TRUE(f) << "after " << next;
    ASSERT_EQ(f->opcode, 1);
    EXPECT_LE(f->payload.size(), 1024u + 2);
    ++frames;
    auto j = nlohmann::json::parse(f->payload);
    if (!j.is_array()) j = nlohmann::json::array({j});
    for (const auto& e : j) EXPECT_EQ(e["n"], next++);
  }
  EXPECT_EQ(next, kMessages);
  EXPECT_LT(frames, kMessages);  // queued ones went out together
}

TEST_P(WsTest, CoalescedRouteHoldsAMessageToSendItWithTheNextOnes) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-coalesced", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>("{\"n\":" + std::to_string(i) + "}")));
  auto f = c.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);  // held for the 300 ms window
  EXPECT_EQ(nlohmann::json::parse(f->payload), nlohmann::json::parse(R"([{"n":0},{"n":1},{"n":2}])"));
  // The timer is re-armed by the next message, not left running.
  ASSERT_TRUE(conn->send(std::make_shared<const std::string>("{\"n\":3}")));
  auto g = c.wsRead(5s);
  ASSERT_TRUE(g);
  EXPECT_EQ(nlohmann::json::parse(g->payload), nlohmann::json::parse(R"({"n":3})"));
}

TEST_P(WsTest, ASendBatchHoldReplacesTheRoutesCoalescingForItsSendsOnly) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-packed", "https://hub.example"), 101);  // no coalescing of its own
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  auto start = std::chrono::steady_clock::now();
  {
    WsSendBatch batch;
    batch.setHold(300ms);
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>(R"({"n":0})")));
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>(R"({"n":1})")));
  }
  auto f = c.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(nlohmann::json::parse(f->payload), nlohmann::json::parse(R"([{"n":0},{"n":1}])"));
  // After the batch its hold is gone: the route's own setting (at once) applies again.
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(conn->send(std::make_shared<const std::string>(R"({"n":2})")));
  auto g = c.wsRead(5s);
  ASSERT_TRUE(g);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(nlohmann::json::parse(g->payload), nlohmann::json::parse(R"({"n":2})"));
  // /metrics: the held write's wake-up (one item for the batch), hold, timer and write pass; the
  // unheld one adds none of them. The pass is counted right after its last send: it may trail
  // the frame by a moment.
  for (int i = 0; i < 100 && metric("hub_ws_write_pass_seconds_count") < 1; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(metric("hub_ws_wake_delay_seconds_count"), 1);
  EXPECT_EQ(metric("hub_ws_hold_seconds_count"), 1);
  EXPECT_NEAR(metric("hub_ws_hold_seconds_sum"), 0.3, 0.001);  // the hold the batch asked for
  EXPECT_EQ(metric("hub_ws_timer_late_seconds_count"), 1);
  EXPECT_EQ(metric("hub_ws_write_pass_seconds_count"), 1);
  EXPECT_GE(metric("hub_ws_write_pass_seconds_sum"), 0);
  EXPECT_LT(metric("hub_ws_write_pass_seconds_sum") + metric("hub_ws_timer_late_seconds_sum"), 0.25);
}

TEST_P(WsTest, ASendBatchHoldOfZeroSendsAtOnceOnACoalescedRoute) {
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-coalesced", "https://hub.example"), 101);  // holds 300 ms
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  const auto start = std::chrono::steady_clock::now();
  {
    WsSendBatch batch;
    batch.setHold(0ms);
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>(R"({"n":0})")));
  }
  auto f = c.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(nlohmann::json::parse(f->payload), nlohmann::json::parse(R"({"n":0})"));
}

TEST_P(WsTest, ANearerHoldForAConnectionAlreadyHeldBringsItsWriteForward) {
  // The room's window ends early (chat/room/coalesce_window.h): the connection already waits in
  // its loop, so the second send wakes nothing of its own; its nearer hold still reaches the loop.
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-packed", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  const auto start = std::chrono::steady_clock::now();
  // Each send in a batch of its own, with its own hold.
  auto sendHeld = [&](std::chrono::microseconds hold, const char* text) {
    WsSendBatch batch;
    batch.setHold(hold);
    return conn->send(std::make_shared<const std::string>(text));
  };
  ASSERT_TRUE(sendHeld(2s, R"({"n":0})"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(sendHeld(1us, R"({"n":1})"));
  auto f = c.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // not the first send's 2 s
  EXPECT_EQ(nlohmann::json::parse(f->payload), nlohmann::json::parse(R"([{"n":0},{"n":1}])"));
}

TEST_P(WsTest, ACloseInsideAHeldSendBatchIsNotHeld) {
  // The batch's wake-ups reach the loop as one held item; the close comes apart and at once.
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws-packed", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  const auto start = std::chrono::steady_clock::now();
  {
    WsSendBatch batch;
    batch.setHold(300ms);
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>(R"({"n":0})")));
    conn->close(4000, "bye");
  }
  auto f = c.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);
  ASSERT_EQ(f->opcode, 8);
  ASSERT_GE(f->payload.size(), 2u);
  EXPECT_EQ(closeCode(f->payload), 4000);
}

TEST(WsPollGap, ALoopWithManyConnectionsReadsAgainOnlyAfterTheGap) {
  // Three connections at 10 ms each: the loop leaves 30 ms between two polls.
  metrics::Registry registry;
  ServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.pollGapPerConnection = 10ms;
  o.maxPollGap = 30ms;
  Server server(o, registry);
  WsHandlers h;
  h.onMessage = [](const std::shared_ptr<WsConnection>& c, std::string_view m, bool binary) {
    c->send(std::make_shared<const std::string>(m), binary);
  };
  server.addWebSocket("/ws", h, WsOptions{});
  ASSERT_TRUE(server.start());
  TestClient a("127.0.0.1", server.port()), b("127.0.0.1", server.port()), idle("127.0.0.1", server.port());
  ASSERT_EQ(a.wsHandshake("/ws", ""), 101);
  ASSERT_EQ(b.wsHandshake("/ws", ""), 101);
  ASSERT_EQ(idle.wsHandshake("/ws", ""), 101);
  for (int round = 0; round < 3; ++round) {
    const auto sentA = std::chrono::steady_clock::now();
    ASSERT_TRUE(a.wsSend("a" + std::to_string(round)));
    auto fa = a.wsRead(5s);
    ASSERT_TRUE(fa);
    EXPECT_EQ(fa->payload, "a" + std::to_string(round));
    // The poll that read a's frame was at or after sentA; b's frame waits for the next one.
    ASSERT_TRUE(b.wsSend("b" + std::to_string(round)));
    auto fb = b.wsRead(5s);
    ASSERT_TRUE(fb);
    EXPECT_EQ(fb->payload, "b" + std::to_string(round));
    EXPECT_GE(std::chrono::steady_clock::now() - sentA, 30ms);
  }
}

TEST(WsPollGap, PlainHttpConnectionsDoNotWidenTheGap) {
  // Three keep-alive HTTP clients at 100 ms each would leave 300 ms between two polls; they do
  // not count, so six requests taking turns are answered well inside one such gap.
  metrics::Registry registry;
  ServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.pollGapPerConnection = 100ms;
  o.maxPollGap = 300ms;
  Server server(o, registry);
  server.route(Method::Get, "/ping", [](const Request&) { return Response::text(200, "pong"); });
  ASSERT_TRUE(server.start());
  TestClient a("127.0.0.1", server.port()), b("127.0.0.1", server.port()), idle("127.0.0.1", server.port());
  ASSERT_TRUE(idle.connected());
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 3; ++round) {
    for (TestClient* c : {&a, &b}) {
      auto r = c->request("GET", "/ping");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->body, "pong");
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
}

TEST_P(WsTest, FramesCutShortByAFullSocketArriveWholeAndInOrder) {
  // A client that reads nothing until the server's sends came up short: the rest of a frame
  // cut by a full socket goes out before the next frame, so every payload arrives whole.
  TestClient c("127.0.0.1", server_->port());
  ASSERT_EQ(c.wsHandshake("/ws", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  constexpr int kMessages = 48;  // 48 x 200 KiB: more than loopback socket buffers hold
  std::vector<std::string> sent;
  for (int i = 0; i < kMessages; ++i) {
    std::string m(200 * 1024 + i * 7, static_cast<char>('a' + i % 26));
    m.replace(0, std::to_string(i).size(), std::to_string(i));
    sent.push_back(m);
    ASSERT_TRUE(conn->send(std::make_shared<const std::string>(m)));
  }
  std::this_thread::sleep_for(200ms);  // let the loop fill the socket before anyone reads
  for (int i = 0; i < kMessages; ++i) {
    auto f = c.wsRead(5s);
    ASSERT_TRUE(f) << "message " << i;
    ASSERT_EQ(f->opcode, 1);
    ASSERT_EQ(f->payload.size(), sent[i].size()) << "message " << i;
    EXPECT_TRUE(f->payload == sent[i]) << "message " << i;
  }
}

TEST_P(WsTest, SendBatchPostsItsWakeUpsWhenItEnds) {
  TestClient a("127.0.0.1", server_->port());
  ASSERT_EQ(a.wsHandshake("/ws", "https://hub.example"), 101);
  auto conn = firstConnection();
  ASSERT_TRUE(conn);
  {
    WsSendBatch outer;
    {
      WsSendBatch inner;  // nested: the outer one posts
      ASSERT_TRUE(conn->send("one"));
    }
    ASSERT_TRUE(conn->send("two"));
    EXPECT_FALSE(a.wsRead(200ms)) << "sent before the batch ended";
  }
  auto f = a.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "one");
  auto g = a.wsRead(5s);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->payload, "two");
  EXPECT_EQ(WsSendBatch::current(), nullptr);
}

// One loop thread: every connection shares it.
class WsOneLoop : public WsServerTest {
 protected:
  void start(const WsOptions& wo) {
    make(1);
    server_->addWebSocket("/ws", keeping(), wo);
    ASSERT_TRUE(server_->start());
  }
};

TEST_P(WsOneLoop, EachConnectionOfALoopLeavesByItsOwnDeadline) {
  // Staggered holds (chat/room/coalesce_window.h): two connections of one loop held for
  // different times; the one due first leaves then, alone, and the other waits for its own.
  WsOptions wo;
  wo.packJsonArrays = true;
  start(wo);
  TestClient soon("127.0.0.1", server_->port()), late("127.0.0.1", server_->port());
  ASSERT_EQ(soon.wsHandshake("/ws", ""), 101);
  ASSERT_EQ(opened(1).size(), 1u);
  ASSERT_EQ(late.wsHandshake("/ws", ""), 101);
  const auto conns = opened(2);
  ASSERT_EQ(conns.size(), 2u);
  const auto started = std::chrono::steady_clock::now();
  {
    WsSendBatch batch;
    batch.setHold(800ms);
    ASSERT_TRUE(conns[1]->send(std::make_shared<const std::string>(R"({"n":0})")));
    batch.setHold(100ms);
    ASSERT_TRUE(conns[0]->send(std::make_shared<const std::string>(R"({"n":0})")));
  }
  auto f = soon.wsRead(5s);
  ASSERT_TRUE(f);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 90ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 600ms);
  EXPECT_EQ(nlohmann::json::parse(f->payload), nlohmann::json::parse(R"({"n":0})"));
  // The later one is not written with it: a second held message joins it while it waits.
  {
    WsSendBatch batch;
    batch.setHold(800ms);
    ASSERT_TRUE(conns[1]->send(std::make_shared<const std::string>(R"({"n":1})")));
  }
  auto g = late.wsRead(5s);
  ASSERT_TRUE(g);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 750ms);
  EXPECT_EQ(nlohmann::json::parse(g->payload), nlohmann::json::parse(R"([{"n":0},{"n":1}])"));
}

// More connections than a chunk of a coalescing write pass (1,000 connections): the pass goes
// on after its first chunk and every connection gets its messages, in order.
TEST_P(WsOneLoop, APassOverMoreConnectionsThanAChunkReachesEveryOneInOrder) {
  WsOptions wo;
  wo.coalesce = 50ms;
  start(wo);
  constexpr std::size_t kClients = 1'100;
  std::vector<std::unique_ptr<TestClient>> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<TestClient>("127.0.0.1", server_->port()));
    ASSERT_EQ(clients.back()->wsHandshake("/ws", ""), 101) << "client " << i;
  }
  const auto open = opened(kClients, 5000);
  ASSERT_EQ(open.size(), kClients);
  const std::vector<std::string> want = {"0a", "0b", "1a", "1b"};
  for (int round = 0; round < 2; ++round) {
    WsSendBatch batch;  // one wake-up pass for all of them
    for (auto& c : open) {
      ASSERT_TRUE(c->send(std::to_string(round) + "a"));
      ASSERT_TRUE(c->send(std::to_string(round) + "b"));
    }
  }
  for (std::size_t i = 0; i < kClients; ++i) {
    for (const auto& w : want) {
      auto f = clients[i]->wsRead(5s);
      ASSERT_TRUE(f) << "client " << i << " waits for " << w;
      ASSERT_EQ(f->payload, w) << "client " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Loops, WsOneLoop, ::testing::Bool(), [](const ::testing::TestParamInfo<bool>& p) {
  return p.param ? "Epoll" : "LwsPoll";
});

INSTANTIATE_TEST_SUITE_P(Loops, WsTest, ::testing::Bool(), [](const ::testing::TestParamInfo<bool>& p) {
  return p.param ? "Epoll" : "LwsPoll";
});

}  // namespace
}  // namespace hub::http
