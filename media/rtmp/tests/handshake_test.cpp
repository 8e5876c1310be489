// media/rtmp/tests/handshake_test.cpp
//
// The server handshake: answers, piece boundaries, a wrong version, and where it stops reading.
#include "media/rtmp/handshake.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hub::media::rtmp {
namespace {

Bytes clientHello(std::uint8_t version = 3) {
  Bytes b{version};
  for (std::size_t i = 0; i < Handshake::kPacketSize; ++i) b.push_back(static_cast<std::uint8_t>(i * 7 + 1));
  return b;
}

Bytes c2() { return Bytes(Handshake::kPacketSize, 0x5a); }

TEST(Handshake, AnswersC0C1WithS0S1S2) {
  Handshake hs(1234);
  const Bytes c0c1 = clientHello();
  auto used = hs.feed(c0c1);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, c0c1.size());
  EXPECT_EQ(hs.state(), Handshake::State::WaitC2);

  const Bytes out = hs.takeOutput();
  ASSERT_EQ(out.size(), 1 + 2 * Handshake::kPacketSize);
  EXPECT_EQ(out[0], 3);
  EXPECT_EQ(readU32(&out[1]), 1234u);  // S1 time
  EXPECT_EQ(readU32(&out[5]), 0u);     // S1 zero field
  // S2 echoes C1.
  EXPECT_TRUE(std::equal(out.begin() + 1 + Handshake::kPacketSize, out.end(), c0c1.begin() + 1));
  EXPECT_TRUE(hs.output().empty());

  auto rest = hs.feed(c2());
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE(hs.done());
  EXPECT_TRUE(hs.output().empty());
}

TEST(Handshake, HandshakeInOneBytePieces) {
  Handshake hs;
  Bytes all = clientHello();
  const Bytes two = c2();
  all.insert(all.end(), two.begin(), two.end());
  Bytes sent;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_FALSE(hs.done()) << i;
    auto used = hs.feed(ByteView(&all[i], 1));
    ASSERT_TRUE(used.ok()) << i;
    EXPECT_EQ(*used, 1u);
    const Bytes out = hs.takeOutput();
    sent.insert(sent.end(), out.begin(), out.end());
    // Nothing is answered before the whole of C1 is in.
    if (i < Handshake::kPacketSize) {
      EXPECT_TRUE(sent.empty()) << i;
    }
  }
  EXPECT_TRUE(hs.done());
  EXPECT_EQ(sent.size(), 1 + 2 * Handshake::kPacketSize);
}

TEST(Handshake, LeavesBytesAfterC2ForTheChunkStream) {
  Handshake hs;
  Bytes all = clientHello();
  const Bytes two = c2();
  all.insert(all.end(), two.begin(), two.end());
  all.insert(all.end(), {0x03, 0xaa, 0xbb});
  auto used = hs.feed(all);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, all.size() - 3);
  EXPECT_TRUE(hs.done());
  auto after = hs.feed(Bytes{1, 2});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, 0u);
}

TEST(Handshake, RefusesVersionOtherThan3OnTheFirstByte) {
  for (std::uint8_t v : {0, 6, 0x16, 0xff}) {
    Handshake hs;
    auto used = hs.feed(Bytes{v});
    ASSERT_FALSE(used.ok());
    EXPECT_EQ(used.error().code, "rtmp.handshake_version");
    EXPECT_EQ(hs.state(), Handshake::State::Failed);
    EXPECT_TRUE(hs.output().empty());
    EXPECT_FALSE(hs.feed(clientHello()).ok());  // stays failed
  }
}

TEST(Handshake, TruncatedHandshakeWaitsWithoutAnswer) {
  Handshake hs;
  Bytes part = clientHello();
  part.resize(700);
  auto used = hs.feed(part);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(hs.state(), Handshake::State::WaitC0C1);
  EXPECT_TRUE(hs.output().empty());
}

TEST(Handshake, SameSeedSameS1) {
  Handshake a(7, 99), b(7, 99), c(7, 100);
  ASSERT_TRUE(a.feed(clientHello()).ok());
  ASSERT_TRUE(b.feed(clientHello()).ok());
  ASSERT_TRUE(c.feed(clientHello()).ok());
  EXPECT_EQ(a.output(), b.output());
  EXPECT_NE(a.output(), c.output());
}

}  // namespace
}  // namespace hub::media::rtmp
