// core/http/tests/uring_sender_test.cpp
//
// UringSender: several sockets written in one submit, each result tagged; a socket without room
// answers at once (short count or -EAGAIN) instead of blocking; where the kernel offers no
// io_uring, open() says so and add() refuses, so callers fall back to send().
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <string>

#include "core/http/uring_sender.h"

namespace hub::http {
namespace {

struct SocketPair {
  int a = -1, b = -1;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    a = fds[0];
    b = fds[1];
  }
  ~SocketPair() {
    ::close(a);
    ::close(b);
  }
  std::string readAll() const {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(b, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
};

TEST(UringSender, SendsToSeveralSocketsInOneSubmit) {
  UringSender u;
  if (!u.open(8)) {  // no io_uring here: the fallback contract
    EXPECT_FALSE(u.available());
    EXPECT_FALSE(u.add(0, "x", 1, 1));
    GTEST_LOG_(INFO) << "io_uring unavailable: callers send one by one";
    return;
  }
  EXPECT_EQ(u.capacity(), 8u);
  std::array<SocketPair, 3> pairs;
  const std::array<std::string, 3> texts = {"first", "second frame", "3"};
  for (std::size_t i = 0; i < pairs.size(); ++i)
    ASSERT_TRUE(u.add(pairs[i].a, texts[i].data(), texts[i].size(), 100 + i));
  EXPECT_EQ(u.queued(), 3u);
  const auto& results = u.submit();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(u.queued(), 0u);
  for (const auto& r : results) {
    ASSERT_GE(r.tag, 100u);
    ASSERT_LT(r.tag, 103u);
    EXPECT_EQ(r.res, static_cast<int>(texts[r.tag - 100].size()));
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) EXPECT_EQ(pairs[i].readAll(), texts[i]);
  // Reusable: a second round on the same ring.
  ASSERT_TRUE(u.add(pairs[0].a, "again", 5, 7));
  ASSERT_EQ(u.submit().size(), 1u);
  EXPECT_EQ(pairs[0].readAll(), "again");
}

TEST(UringSender, AFullSocketAnswersAtOnceAndTheRingRefusesBeyondItsCapacity) {
  UringSender u;
  if (!u.open(4)) {
    EXPECT_FALSE(u.add(0, "x", 1, 1));
    return;
  }
  SocketPair p;
  const std::string big(1 << 20, 'z');  // more than a socket buffer holds
  ASSERT_TRUE(u.add(p.a, big.data(), big.size(), 1));
  auto results = u.submit();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_GT(results[0].res, 0);
  EXPECT_LT(results[0].res, static_cast<int>(big.size()));  // short, not blocked
  // Nothing read yet: the next send finds no room.
  ASSERT_TRUE(u.add(p.a, big.data(), big.size(), 2));
  results = u.submit();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].res, -EAGAIN);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(u.add(p.a, "x", 1, i));
  EXPECT_FALSE(u.add(p.a, "x", 1, 4));  // full: submit first
  EXPECT_EQ(u.submit().size(), 4u);
}

}  // namespace
}  // namespace hub::http
