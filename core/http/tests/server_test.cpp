// core/http/tests/server_test.cpp
//
// A real server on 127.0.0.1, port 0, talked to over raw sockets: routing, errors, limits,
// async completion, timeouts, listen address, shutdown and spreading over loop threads.
#include "core/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/json_body.h"
#include "core/http/response_batch.h"
#include "core/loop/worker_pool.h"
#include "tests/support/test_client.h"

namespace hub::http {
namespace {

using namespace std::chrono_literals;
using hub::test::TestClient;

class ServerTest : public ::testing::Test {
 protected:
  void startServer(ServerOptions o = {}) {
    o.address = "127.0.0.1";
    o.port = 0;
    if (!o.threads) o.threads = 2;
    server_ = std::make_unique<Server>(o, registry_);
    server_->get("/api/v1/streams/:name", [](const Request& r) {
      return Response::json(200, {{"name", r.param("name")}, {"q", r.queryParam("q").value_or("")}});
    });
    server_->post("/api/v1/echo", [](const Request& r) {
      auto j = parseJsonBody(r);
      if (!j) return badJson(j.error());
      return Response::json(200, {{"got", *j}});
    });
    server_->route(Method::Delete, "/api/v1/streams/:name",
                   [](const Request&) { return Response::noContent(); });
    server_->route(
        Method::Get, "/cors", [](const Request&) { return Response::text(200, "ok"); },
        RouteOptions{CorsOptions{{"https://player.example"}}});
    server_->routeAsync(Method::Get, "/slow", [this](Request, Responder done) {
      ASSERT_TRUE(pool_.submit([done] {
        std::this_thread::sleep_for(300ms);
        done.send(Response::text(200, "slow done"));
      }));
    });
    server_->routeAsync(Method::Get, "/async/:n", [this](Request r, Responder done) {
      ASSERT_TRUE(pool_.submit([done, n = std::string(r.param("n"))] {
        done.send(Response::json(200, {{"n", n}}));
      }));
    });
    server_->routeAsync(Method::Get, "/parked", [this](Request, Responder done) { parked_.set_value(done); });
    server_->routeAsync(Method::Get, "/held/:n", [this](Request r, Responder done) {
      std::lock_guard lock(heldMu_);
      held_.emplace_back(std::string(r.param("n")), done);
      heldCv_.notify_all();
    });
    auto st = server_->start();
    ASSERT_TRUE(st) << st.error().message;
  }

  metrics::Registry registry_;
  loop::WorkerPool pool_{2};
  std::promise<Responder> parked_;
  std::mutex heldMu_;
  std::condition_variable heldCv_;
  std::vector<std::pair<std::string, Responder>> held_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, RoutesWithParamsAndQuery) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/api/v1/streams/gala?q=a%20b&x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->header("date").find(" GMT"), std::string::npos);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["name"], "gala");
  EXPECT_EQ(j["q"], "a b");
  // Same connection, next request: keep-alive works.
  auto r2 = c.request("DELETE", "/api/v1/streams/gala");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 204);
}

TEST_F(ServerTest, UnknownRouteIs404JsonAndWrongMethodIs405) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "not_found");
  auto r2 = c.request("PUT", "/api/v1/streams/x", "", "{}");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 405);
  EXPECT_NE(r2->header("allow").find("GET"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r2->body)["error"]["code"], "method_not_allowed");
}

TEST_F(ServerTest, HeadOfRouteHasLengthButNoBody) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  auto g = c.request("GET", "/api/v1/streams/abc");
  auto h = c.request("HEAD", "/api/v1/streams/abc");
  ASSERT_TRUE(g && h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->header("content-length"), std::to_string(g->body.size()));
  auto again = c.request("GET", "/api/v1/streams/abc");  // nothing stray was left on the wire
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, g->body);
}

TEST_F(ServerTest, JsonBodyParsedAndMalformedIs400) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  auto ok = c.request("POST", "/api/v1/echo", "Content-Type: application/json\r\n", R"({"a":[1,2]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["got"]["a"][1], 2);
  auto bad = c.request("POST", "/api/v1/echo", "", R"({"a":)");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto err = nlohmann::json::parse(bad->body)["error"];
  EXPECT_EQ(err["code"], "bad_json");
  EXPECT_NE(err["message"].get<std::string>().find("malformed JSON"), std::string::npos);
  auto deep = c.request("POST", "/api/v1/echo", "", std::string(100, '[') + std::string(100, ']'));
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
}

TEST_F(ServerTest, OversizeBodyIs413BeforeItIsSent) {
  ServerOptions o;
  o.maxBodyBytes = 1024;
  startServer(o);
  TestClient c("127.0.0.1", server_->port());
  // Announce 10 MB, send only the headers: the answer must not wait for the body.
  ASSERT_TRUE(c.sendRaw("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"));
  auto r = c.readResponse(false, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "body_too_large");
  EXPECT_TRUE(c.waitClosed(5s));
  // A body within the limit still works on a new connection.
  TestClient c2("127.0.0.1", server_->port());
  auto ok = c2.request("POST", "/api/v1/echo", "", R"({"small":true})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, AsyncHandlerCompletedFromWorkerPool) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  for (int i = 0; i < 20; ++i) {
    auto r = c.request("GET", "/async/" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(nlohmann::json::parse(r->body)["n"], std::to_string(i));
  }
}

TEST_F(ServerTest, ResponsesSentInOneBatchReachTheirOwnClients) {
  startServer();  // 2 loop threads: the batch hands each its share
  constexpr int kClients = 8;
  std::vector<std::optional<hub::test::RawResponse>> got(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      TestClient c("127.0.0.1", server_->port());
      got[i] = c.request("GET", "/held/" + std::to_string(i));
    });
  {
    std::unique_lock lock(heldMu_);
    ASSERT_TRUE(heldCv_.wait_for(lock, 5s, [&] { return held_.size() == kClients; }));
  }
  std::thread answerer([&] {
    ResponseBatch batch;
    ResponseBatch inner;  // joins the outer batch
    for (auto& [n, done] : held_) done.send(Response::json(200, {{"n", n}}));
  });
  answerer.join();
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(got[i]) << i;
    EXPECT_EQ(got[i]->status, 200);
    EXPECT_EQ(nlohmann::json::parse(got[i]->body)["n"], std::to_string(i));
  }
}

TEST_F(ServerTest, ClientGoneBeforeAsyncCompletionIsHarmless) {
  startServer();
  auto parked = parked_.get_future();
  {
    TestClient c("127.0.0.1", server_->port());
    ASSERT_TRUE(c.sendRaw("GET /parked HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_EQ(parked.wait_for(5s), std::future_status::ready);
  }  // the client hangs up
  std::this_thread::sleep_for(200ms);
  Responder done = parked.get();
  std::thread other([done] { done.send(Response::text(200, "too late")); });
  other.join();
  // The server is unharmed.
  TestClient c2("127.0.0.1", server_->port());
  auto r = c2.request("GET", "/api/v1/streams/still");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ManyClientsLeavingBeforeAsyncCompletion) {
  startServer();
  for (int i = 0; i < 50; ++i) {
    TestClient c("127.0.0.1", server_->port());
    ASSERT_TRUE(c.sendRaw("GET /async/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  }  // each one hangs up while its answer is on the worker pool or in the mailbox
  std::this_thread::sleep_for(100ms);
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/async/last");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, CorsPreflightAndSimpleRequest) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  auto pre = c.request("OPTIONS", "/cors",
                       "Origin: https://player.example\r\n"
                       "Access-Control-Request-Method: GET\r\n"
                       "Access-Control-Request-Headers: x-custom\r\n");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->header("access-control-allow-origin"), "https://player.example");
  EXPECT_NE(pre->header("access-control-allow-methods").find("GET"), std::string::npos);
  EXPECT_EQ(pre->header("access-control-allow-headers"), "x-custom");
  auto get = c.request("GET", "/cors", "Origin: https://player.example\r\n");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->header("access-control-allow-origin"), "https://player.example");
  auto other = c.request("GET", "/cors", "Origin: https://evil.example\r\n");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->header("access-control-allow-origin"), "");
}

TEST_F(ServerTest, SlowlorisIsClosedWhileOthersAreServed) {
  ServerOptions o;
  o.headerTimeout = 2s;
  o.threads = 1;  // same loop: the slow client must not block the fast one
  startServer(o);
  TestClient slow("127.0.0.1", server_->port());
  ASSERT_TRUE(slow.sendRaw("GET /api/v1/streams/x HTTP/1.1\r\nHost: t\r\n"));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    TestClient fast("127.0.0.1", server_->port());
    auto r = fast.request("GET", "/api/v1/streams/fast");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    ASSERT_TRUE(slow.sendRaw("X-Drip: 1\r\n"));
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(slow.waitClosed(6s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
}

TEST_F(ServerTest, IdleKeepAliveIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idleTimeout = 1s;
  startServer(o);
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/api/v1/streams/x");
  ASSERT_TRUE(r);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.waitClosed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);
}

TEST_F(ServerTest, LwsOwnPollLoopServesAndTimesOutToo) {
  ServerOptions o;
  o.epollLoop = false;  // the fall-back when lws' libev plugin cannot start
  o.idleTimeout = 1s;
  startServer(o);
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/async/7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["n"], "7");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.waitClosed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);
}

TEST_F(ServerTest, SlowAsyncHandlerOutlivesHeaderTimeout) {
  ServerOptions o;
  o.headerTimeout = 1s;
  startServer(o);
  server_->stop();  // restart with a handler slower than the header timeout
  o.port = 0;
  o.threads = 1;
  server_ = std::make_unique<Server>(o, registry_);
  server_->routeAsync(Method::Get, "/slower", [this](Request, Responder done) {
    ASSERT_TRUE(pool_.submit([done] {
      std::this_thread::sleep_for(1800ms);
      done.send(Response::text(200, "worth the wait"));
    }));
  });
  ASSERT_TRUE(server_->start());
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/slower");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "worth the wait");
}

TEST_F(ServerTest, BindsExactlyTheConfiguredAddress) {
  startServer();
  EXPECT_EQ(server_->boundAddress(), "127.0.0.1:" + std::to_string(server_->port()));
  // 127.0.0.2 is loopback too, but not the address we bound.
  TestClient other("127.0.0.2", server_->port());
  EXPECT_FALSE(other.connected());
}

TEST_F(ServerTest, BindsIpv6LoopbackOnly) {
  ServerOptions o;
  o.address = "[::1]";
  o.port = 0;
  o.threads = 1;
  Server v6(o, registry_);
  v6.get("/v6", [](const Request& r) { return Response::text(200, r.peer); });
  auto st = v6.start();
  ASSERT_TRUE(st) << "binding [::1] failed: " << st.error().message;
  EXPECT_EQ(v6.boundAddress(), "[::1]:" + std::to_string(v6.port()));
  TestClient c("::1", v6.port());
  auto r = c.request("GET", "/v6");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("1"), std::string::npos);  // the peer, "::1" in some spelling
  TestClient v4("127.0.0.1", v6.port());            // IPV6_V6ONLY: IPv4 is not ours
  EXPECT_FALSE(v4.connected());
}

TEST_F(ServerTest, PortInUseIsListenErrorNamingTheAddress) {
  startServer();
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = server_->port();
  o.threads = 1;
  Server second(o, registry_);
  auto st = second.start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "http.listen");
  EXPECT_NE(st.error().message.find("127.0.0.1:" + std::to_string(o.port)), std::string::npos)
      << st.error().message;
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  ASSERT_TRUE(c.sendRaw("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(100ms);  // the request is in the worker pool now
  TestClient idle("127.0.0.1", server_->port());
  ASSERT_TRUE(idle.connected());
  std::thread stopper([&] { server_->stop(); });
  auto r = c.readResponse(false, 5s);
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_TRUE(idle.waitClosed(2s));
  TestClient after("127.0.0.1", server_->port());
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, ManyConnectionsSpreadOverThreads) {
  ServerOptions o;
  o.threads = 3;
  startServer(o);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 12; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        TestClient c("127.0.0.1", server_->port());
        for (int k = 0; k < 3; ++k) {
          auto r = c.request("GET", "/api/v1/streams/load");
          if (r && r->status == 200) ++ok;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 12 * 10 * 3);
  auto served = server_->servedPerThread();
  int busy = 0;
  for (auto n : served) busy += n > 0;
  EXPECT_GT(busy, 1);
  // Metrics were recorded.
  auto text = registry_.render();
  EXPECT_NE(text.find("hub_http_requests_total{method=\"GET\",code=\"200\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("hub_http_request_duration_seconds_count"), std::string::npos);
  // Every connection was counted in and out.
  bool zero = false;
  for (int i = 0; i < 100 && !zero; ++i) {
    zero = registry_.render().find("hub_http_connections 0\n") != std::string::npos;
    if (!zero) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(zero) << registry_.render();
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  startServer();
  TestClient c("127.0.0.1", server_->port());
  ASSERT_TRUE(
      c.sendRaw("GET /api/v1/streams/one HTTP/1.1\r\nHost: t\r\n\r\n"
                "GET /api/v1/streams/two HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto a = c.readResponse();
  auto b = c.readResponse();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(nlohmann::json::parse(a->body)["name"], "one");
  EXPECT_EQ(nlohmann::json::parse(b->body)["name"], "two");
}

// A body in memory larger than the socket buffers, read late: written straight from the shared
// buffer across several writable rounds (EAGAIN in between), whole and in order, and the
// connection serves the next request.
TEST_F(ServerTest, LargeSharedBodyReachesALateReaderWhole) {
  auto big = std::make_shared<std::string>(6 * 1024 * 1024 + 123, '\0');
  for (std::size_t i = 0; i < big->size(); ++i) (*big)[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.threads = 1;
  server_ = std::make_unique<Server>(o, registry_);
  server_->get("/big", [big](const Request&) {
    Response r(200, "", "application/octet-stream");
    r.shared = big;
    r.offset = 100;
    r.length = big->size() - 100;
    return r;
  });
  server_->get("/small", [](const Request&) { return Response::text(200, "after"); });
  auto st = server_->start();
  ASSERT_TRUE(st) << st.error().message;
  TestClient c("127.0.0.1", server_->port());
  ASSERT_TRUE(c.sendRaw("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(300ms);  // let the server fill the socket and wait for room
  auto r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(big->size() - 100));
  ASSERT_EQ(r->body.size(), big->size() - 100);
  EXPECT_TRUE(r->body == big->substr(100));
  auto next = c.request("GET", "/small");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "after");
}

TEST_F(ServerTest, GarbageRequestClosesOnlyThatConnection) {
  startServer();
  TestClient good("127.0.0.1", server_->port());
  TestClient bad("127.0.0.1", server_->port());
  ASSERT_TRUE(bad.sendRaw("\x16\x03\x01\x02\x00garbage\r\n\r\n"));
  EXPECT_TRUE(bad.waitClosed(5s));
  auto r = good.request("GET", "/api/v1/streams/fine");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace hub::http
