// chat/protocol/tests/event_encoder_test.cpp
//
// Each event encodes to the exact text of the protocol, key order included, and what it
// produces is always JSON that parses back to the same values.
#include "chat/protocol/event_encoder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hub::chat::protocol {
namespace {

const UserInfo kAda{42, "Ada", "user"};

TEST(EventEncoder, EncodesMessageEventExactly) {
  Message m{"gala", 1001, kAda, "你好", 1'800'000'000'123};
  EXPECT_EQ(encodeEvent(m),
            R"({"type":"message","room":"gala","id":1001,"user":{"id":42,"name":"Ada","role":"user"},)"
            R"("text":"你好","ts":1800000000123})");
}

TEST(EventEncoder, EncodesEveryOtherEventExactly) {
  EXPECT_EQ(encodeEvent(Welcome{kAda, Limits{200, 20, 16}}),
            R"({"type":"welcome","user":{"id":42,"name":"Ada","role":"user"},)"
            R"("limits":{"max_text":200,"likes_per_second":20,"rooms":16}})");
  EXPECT_EQ(encodeEvent(Joined{"gala", 17, false}),
            R"({"type":"joined","room":"gala","last_id":17,"recovered":false})");
  EXPECT_EQ(encodeEvent(Joined{"gala", 0, true}),
            R"({"type":"joined","room":"gala","last_id":0,"recovered":true})");
  EXPECT_EQ(encodeEvent(Likes{"gala", 5000, 120}),
            R"({"type":"likes","room":"gala","total":5000,"delta":120})");
  EXPECT_EQ(encodeEvent(Viewers{"gala", 9}), R"({"type":"viewers","room":"gala","count":9})");
  EXPECT_EQ(encodeEvent(Deleted{"gala", 1001}), R"({"type":"deleted","room":"gala","id":1001})");
  EXPECT_EQ(encodeEvent(Muted{"gala", 42, 1'800'000'600'000}),
            R"({"type":"muted","room":"gala","user_id":42,"until":1800000600000})");
  EXPECT_EQ(encodeEvent(Pong{}), R"({"type":"pong"})");
  EXPECT_EQ(
      encodeEvent(ErrorEvent{"chat.too_long", "text is 201 characters, the limit is 200"}),
      R"({"type":"error","code":"chat.too_long","message":"text is 201 characters, the limit is 200"})");
}

TEST(EventEncoder, ErrorsCarryTheFieldsThatApplyAndLeaveOutTheRest) {
  ErrorEvent muted{"chat.muted", "muted", "gala"};
  muted.until = 1'800'000'600'000;
  EXPECT_EQ(encodeEvent(muted),
            R"({"type":"error","code":"chat.muted","message":"muted","room":"gala","until":1800000600000})");
  ErrorEvent tooLong{"chat.too_long", "too long"};
  tooLong.limit = 200;
  EXPECT_EQ(encodeEvent(tooLong),
            R"({"type":"error","code":"chat.too_long","message":"too long","limit":200})");
  ErrorEvent slow{"chat.slow_mode", "wait", "gala"};
  slow.retryAfterMs = 2500;
  EXPECT_EQ(
      encodeEvent(slow),
      R"({"type":"error","code":"chat.slow_mode","message":"wait","room":"gala","retry_after_ms":2500})");
}

TEST(EventEncoder, EncodesFullRangeIntegers) {
  EXPECT_EQ(encodeEvent(Deleted{"r", 18446744073709551615ULL}),
            R"({"type":"deleted","room":"r","id":18446744073709551615})");
  EXPECT_EQ(encodeEvent(Muted{"r", -9223372036854775807LL - 1, 0}),
            R"({"type":"muted","room":"r","user_id":-9223372036854775808,"until":0})");
}

TEST(EventEncoder, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  appendJsonString(out, std::string("a\"b\\c\nd\te\x01"));
  EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001")");
}

TEST(EventEncoder, ReplacesInvalidUtf8SoOutputStaysValid) {
  std::string out;
  appendJsonString(out, "ok\xFFgo");
  EXPECT_EQ(out, "\"ok\xEF\xBF\xBDgo\"");
}

TEST(EventEncoder, OutputParsesBackToTheSameValues) {
  Message m{"gala", 7, UserInfo{-3, "名字 \"q\"", "moderator"}, "line1\nline2 \\ \U0001F600", -1};
  auto j = nlohmann::json::parse(encodeEvent(m));
  EXPECT_EQ(j["user"]["name"], "名字 \"q\"");
  EXPECT_EQ(j["text"], "line1\nline2 \\ \U0001F600");
  EXPECT_EQ(j["user"]["id"], -3);
}

TEST(EventEncoder, SharedFrameIsEncodedOnceAndShared) {
  SharedFrame a = encodeShared(Pong{});
  SharedFrame b = a;  // what fan-out does: every connection holds the same buffer
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(*b, R"({"type":"pong"})");
}

}  // namespace
}  // namespace hub::chat::protocol
