// chat/protocol/tests/utf8_test.cpp
//
// The UTF-8 rules that decide between an ordinary frame and a 1007 close.
#include "chat/protocol/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace hub::chat::protocol {
namespace {

TEST(Utf8, AcceptsAsciiChineseAndEmoji) {
  EXPECT_TRUE(validUtf8(""));
  EXPECT_TRUE(validUtf8("hello"));
  EXPECT_TRUE(validUtf8("这是坏词"));
  EXPECT_TRUE(validUtf8("\xF0\x9F\x98\x80"));  // U+1F600
}

TEST(Utf8, RefusesTruncatedOverlongAndSurrogateSequences) {
  EXPECT_FALSE(validUtf8("\xE4\xBD"));          // truncated 3-byte sequence
  EXPECT_FALSE(validUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(validUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(validUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(validUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(validUtf8("ok\xFF"));
}

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(countCodePoints("abc"), 3u);
  EXPECT_EQ(countCodePoints("这是坏词"), 4u);
  EXPECT_EQ(countCodePoints("a\xF0\x9F\x98\x80z"), 3u);
}

TEST(Utf8, CountsEachInvalidByteAsOne) { EXPECT_EQ(countCodePoints("a\xFF\xFE"), 3u); }

TEST(Utf8, NextCodePointAdvancesAndReplacesBrokenBytes) {
  std::string_view s = "\xE5\x9D\x8F\xFFx";
  std::size_t pos = 0;
  EXPECT_EQ(nextCodePoint(s, pos), U'坏');
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(nextCodePoint(s, pos), char32_t{0xFFFD});
  EXPECT_EQ(pos, 4u);
  EXPECT_EQ(nextCodePoint(s, pos), U'x');
}

TEST(Utf8, AppendUtf8RoundTrips) {
  std::string out;
  for (char32_t cp : {U'a', U'é', U'坏', U'\U0001F600'}) appendUtf8(out, cp);
  EXPECT_EQ(out, "a\xC3\xA9坏\xF0\x9F\x98\x80");
  EXPECT_TRUE(validUtf8(out));
}

}  // namespace
}  // namespace hub::chat::protocol
