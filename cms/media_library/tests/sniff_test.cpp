// cms/media_library/tests/sniff_test.cpp
//
// Types come from the bytes: each signature, near misses, and names that lie.
#include <gtest/gtest.h>

#include <string>

#include "cms/media_library/sniff.h"

namespace hub::cms::media_library {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s += static_cast<char>(x);
  return s;
}

TEST(Sniff, KnownSignatures) {
  EXPECT_EQ(sniff(bytes({0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}))->mime, "image/jpeg");
  EXPECT_EQ(sniff(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16))->mime, "image/png");
  EXPECT_EQ(sniff("GIF89a\x01\x00")->mime, "image/gif");
  EXPECT_EQ(sniff(std::string("RIFF\x24\0\0\0WEBPVP8 ", 16))->mime, "image/webp");
  auto mp4 =
      sniff(std::string("\0\0\0\x20"
                        "ftypisom\0\0\x02\0",
                        16));
  ASSERT_TRUE(mp4);
  EXPECT_EQ(mp4->mime, "video/mp4");
  EXPECT_EQ(mp4->kind, MediaKind::Video);
  EXPECT_EQ(sniff("ID3\x04\0\0\0\0\0\0")->mime, "audio/mpeg");
  EXPECT_EQ(sniff(bytes({0xFF, 0xFB, 0x90, 0x64}))->kind, MediaKind::Audio);
}

TEST(Sniff, UnknownOrTruncatedIsRefused) {
  EXPECT_FALSE(sniff(""));
  EXPECT_FALSE(sniff("<html><script>alert(1)</script>"));
  EXPECT_FALSE(sniff("%PDF-1.7\n"));
  EXPECT_FALSE(sniff(bytes({0xFF, 0xD8})));
  EXPECT_FALSE(sniff("RIFF\x24\0\0\0WAVEfmt "));
  EXPECT_FALSE(
      sniff(std::string("\0\0\0\x14"
                        "ftypqt  \0\0\0\0",
                        16)));  // QuickTime
  EXPECT_FALSE(sniff(std::string("MZ\x90\0\x03\0\0\0", 8)));
}

TEST(Sniff, NamesClaimATypeTheBytesMustMatch) {
  EXPECT_EQ(mimeForName("封面.JPEG"), "image/jpeg");
  EXPECT_EQ(mimeForName("clip.mp4"), "video/mp4");
  EXPECT_FALSE(mimeForName("evil.html"));
  EXPECT_FALSE(mimeForName("noext"));
  // a PNG named .jpg: sniffed and claimed types differ
  EXPECT_NE(sniff(std::string("\x89PNG\r\n\x1a\n", 8))->mime, *mimeForName("photo.jpg"));
}

}  // namespace
}  // namespace hub::cms::media_library
