// tests/bench/chat/load_receive_test.cpp
//
// The load generator's receive side: a connection hands on every text message once and in
// order however its bytes were cut (a frame split across reads at any byte), and the io_uring
// receive (RecvRing) brings a TCP socket's bytes in order with the kernel's arrival stamp, then
// its end. Where the kernel offers no io_uring, open() says so (the worker reads through epoll).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/bench/chat/load_client.h"
#include "tests/bench/chat/recv_ring.h"
#include "tests/bench/chat/server_frame.h"

namespace hub::bench {
namespace {

struct Texts : FrameSink {
  std::vector<std::string> got;
  void onText(std::size_t, std::string_view text) override { got.emplace_back(text); }
};

// A listening loopback socket and one accepted peer: the client's handshake goes somewhere.
struct Listener {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  Listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
  int accept() const { return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC); }
};

// What the hub answers a client from the upgrade to its first messages.
std::string hubReply(const std::vector<std::string>& messages) {
  std::string bytes = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  bytes += hub::bench::serverTextFrame(R"({"type":"welcome","user":{"id":"u1","name":"a","role":"user"}})");
  bytes += hub::bench::serverTextFrame(R"({"type":"joined","room":"bench","last_id":0,"recovered":true})");
  for (const auto& m : messages) bytes += hub::bench::serverTextFrame(m);
  return bytes;
}

TEST(LoadClientTest, EveryMessageOnceAndInOrderWhereverTheBytesWereCut) {
  std::vector<std::string> messages;
  for (int i = 0; i < 4; ++i)
    messages.push_back(R"({"type":"message","room":"bench","id":)" + std::to_string(i + 1) +
                       R"(,"text":"b:3:)" + std::to_string(i + 1) + R"(:1000","ts":1})");
  messages.push_back(std::string(300, 'x'));  // a frame with a 16-bit length
  const std::string bytes = hubReply(messages);
  Listener server;
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    LoadClient c(0, Flavor::Hub, "127.0.0.1", server.port, "/ws", "", "token", "bench");
    ASSERT_GE(c.start(), 0);
    int peer = server.accept();
    ASSERT_GE(peer, 0);
    ASSERT_TRUE(c.onWritable());  // connected: the upgrade request goes out
    Texts sink;
    ASSERT_TRUE(c.onData(std::string_view(bytes).substr(0, cut), 0, sink)) << "cut at " << cut;
    ASSERT_TRUE(c.onData(std::string_view(bytes).substr(cut), 7, sink)) << "cut at " << cut;
    ASSERT_EQ(c.state(), LoadClient::State::Ready);
    EXPECT_EQ(c.arrivalRealMicros(), 7);
    ASSERT_EQ(sink.got.size(), messages.size() + 2) << "cut at " << cut;
    for (std::size_t i = 0; i < messages.size(); ++i)
      EXPECT_EQ(sink.got[i + 2], messages[i]) << "cut at " << cut;
    ::close(peer);
  }
}

TEST(LoadClientTest, TheServersEndClosesTheConnectionWithItsReason) {
  Listener server;
  LoadClient c(0, Flavor::Hub, "127.0.0.1", server.port, "/ws", "", "token", "bench");
  ASSERT_GE(c.start(), 0);
  EXPECT_FALSE(c.onEnd(0));
  EXPECT_EQ(c.state(), LoadClient::State::Closed);
  EXPECT_EQ(c.closeReason(), "closed by server");
}

TEST(RecvRingTest, BytesInOrderWithTheirArrivalStampThenTheEnd) {
  RecvRing ring;
  if (!ring.open(4)) {  // the contract where io_uring is missing
    EXPECT_FALSE(ring.available());
    GTEST_LOG_(INFO) << "io_uring receive unavailable: the generator reads through epoll";
    return;
  }
  Listener server;
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(server.port));
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  int one = 1;
  ::setsockopt(client, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  int peer = server.accept();
  ASSERT_GE(peer, 0);
  ring.receive(client, 42);

  // More than one buffer's worth in several writes: it comes back whole and in order.
  std::string sent;
  for (int i = 0; i < 50; ++i) sent += "message " + std::to_string(i) + std::string(100, '.') + ";";
  const auto before = std::chrono::system_clock::now();
  for (std::size_t at = 0; at < sent.size(); at += 1000)
    ASSERT_GT(::send(peer, sent.data() + at, std::min<std::size_t>(1000, sent.size() - at), 0), 0);
  ::close(peer);
  const auto beforeMicros =
      std::chrono::duration_cast<std::chrono::microseconds>(before.time_since_epoch()).count();

  std::string got;
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    ring.wait(50);
    ring.drain([&](const RecvRing::Completion& c) {
      ASSERT_EQ(c.tag, 42u);
      ASSERT_GE(c.res, 0);
      if (c.res > 0) {
        got.append(c.data);
        EXPECT_GE(c.arrivalRealMicros, beforeMicros - 1000);
      }
      if (c.res == 0) {
        EXPECT_FALSE(c.more);
        ended = true;
      } else if (!c.more) {
        ring.receive(client, 42);  // the request ended early: armed again, as the worker does
      }
    });
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(got, sent);
  ::close(client);
}

}  // namespace
}  // namespace hub::bench
