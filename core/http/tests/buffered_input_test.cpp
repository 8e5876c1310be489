// core/http/tests/buffered_input_test.cpp
//
// Input lws already holds, read along with something else (pipelined HTTP/1.1 requests, frames
// sent in the same write as the WebSocket upgrade), is served at once while another client
// keeps the loop busy, on the epoll loop (libev) and on lws' own poll().
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/http/server.h"
#include "tests/support/test_client.h"

namespace hub::http {
namespace {

using namespace std::chrono_literals;
using hub::test::TestClient;

class BufferedInputTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.port = 0;
    o.threads = 1;  // the busy client and the client under test share the one loop
    o.epollLoop = GetParam();
    server_ = std::make_unique<Server>(o, registry_);
    server_->route(Method::Get, "/a", [](const Request&) { return Response::text(200, "a"); });
    server_->route(Method::Get, "/b", [](const Request&) { return Response::text(200, "b"); });
    WsHandlers echo;
    echo.onMessage = [](const std::shared_ptr<WsConnection>& c, std::string_view m, bool binary) {
      c->send(std::make_shared<const std::string>(m), binary);
    };
    server_->addWebSocket("/echo", echo, WsOptions{});
    WsHandlers sink;
    sink.onMessage = [this](const std::shared_ptr<WsConnection>&, std::string_view, bool) {
      sunk_.fetch_add(1, std::memory_order_relaxed);
    };
    server_->addWebSocket("/sink", sink, WsOptions{});
    ASSERT_TRUE(server_->start());
    // A client that writes frames without pause: every pass of the loop has its socket ready.
    busy_ = std::make_unique<TestClient>("127.0.0.1", server_->port());
    ASSERT_EQ(busy_->wsHandshake("/sink", ""), 101);
    busyThread_ = std::thread([this] {
      const std::string frame = TestClient::wsFrame(std::string(512, 'x'));
      while (!stop_.load() && busy_->sendRaw(frame)) {
      }
    });
    for (int i = 0; i < 200 && sunk_.load() < 1000; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_GE(sunk_.load(), 1000) << "the busy client did not get going";
  }

  void TearDown() override {
    stop_ = true;
    if (busyThread_.joinable()) busyThread_.join();
  }

  static std::string get(const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n";
  }

  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<TestClient> busy_;
  std::thread busyThread_;
  std::atomic<bool> stop_{false};
  std::atomic<long> sunk_{0};
};

TEST_P(BufferedInputTest, PipelinedRequestsAreAnsweredInOrderAtOnce) {
  TestClient c("127.0.0.1", server_->port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.sendRaw(get("/a") + get("/b") + get("/a")));
  for (const char* want : {"a", "b", "a"}) {
    auto r = c.readResponse(false, 3s);
    ASSERT_TRUE(r) << "no answer to /" << want;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, want);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  const long before = sunk_.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_GT(sunk_.load(), before) << "the loop was not kept busy";
}

TEST_P(BufferedInputTest, FramesInTheUpgradesWriteAreEchoedInOrderAtOnce) {
  TestClient c("127.0.0.1", server_->port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(c.wsHandshake("/echo", "", TestClient::wsFrame("first") + TestClient::wsFrame("second")), 101);
  for (const char* want : {"first", "second"}) {
    auto f = c.wsRead(3s);
    ASSERT_TRUE(f) << "no echo of " << want;
    EXPECT_EQ(f->payload, want);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  const long before = sunk_.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_GT(sunk_.load(), before) << "the loop was not kept busy";
}

INSTANTIATE_TEST_SUITE_P(Loops, BufferedInputTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Epoll" : "LwsPoll";
                         });

}  // namespace
}  // namespace hub::http
