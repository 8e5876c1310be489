// core/http/tests/responder_test.cpp
//
// The async completion handle: one delivery, from any copy, and a 500 when nobody answers.
#include "core/http/responder.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace hub::http {
namespace {

TEST(Responder, FirstSendWinsAcrossCopiesAndThreads) {
  std::atomic<int> deliveries{0};
  std::atomic<int> status{0};
  {
    Responder r([&](Response resp) {
      ++deliveries;
      status = resp.status;
    });
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back([r, i] { r.send(Response::text(200 + i, "x")); });
    for (auto& t : threads) t.join();
    EXPECT_TRUE(r.sent());
  }
  EXPECT_EQ(deliveries.load(), 1);
  EXPECT_GE(status.load(), 200);
}

TEST(Responder, DroppedWithoutAnswerSends500) {
  int status = 0;
  {
    Responder r([&](Response resp) { status = resp.status; });
    Responder copy = r;
  }
  EXPECT_EQ(status, 500);
}

}  // namespace
}  // namespace hub::http
