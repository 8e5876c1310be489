// chat/protocol/tests/command_decoder_test.cpp
//
// Every client command decodes to its typed form, and every kind of bad frame gets its stable
// error code and a message that names the problem.
#include "chat/protocol/command_decoder.h"

#include <string>

#include <gtest/gtest.h>

namespace hub::chat::protocol {
namespace {

template <class T>
T decodeAs(std::string_view frame) {
  auto r = decodeCommand(frame);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r || !std::holds_alternative<T>(*r)) {
    ADD_FAILURE() << "unexpected command for " << frame;
    return T{};
  }
  return std::get<T>(std::move(*r));
}

Error decodeError(std::string_view frame, const DecodeLimits& limits = {}) {
  auto r = decodeCommand(frame, limits);
  if (r) {
    ADD_FAILURE() << "decoded, expected an error: " << frame;
    return {};
  }
  return r.error();
}

TEST(CommandDecoder, DecodesHello) {
  EXPECT_EQ(decodeAs<Hello>(R"({"op":"hello","token":"abc.def"})").token, "abc.def");
}

TEST(CommandDecoder, DecodesJoinWithAndWithoutSince) {
  auto j = decodeAs<Join>(R"({"op":"join","room":"gala"})");
  EXPECT_EQ(j.room, "gala");
  EXPECT_FALSE(j.since);
  j = decodeAs<Join>(R"({"op":"join","room":"gala-2025","since":41})");
  ASSERT_TRUE(j.since);
  EXPECT_EQ(*j.since, 41u);
  EXPECT_FALSE(decodeAs<Join>(R"({"op":"join","room":"gala","since":null})").since);
}

TEST(CommandDecoder, DecodesLeaveSendLikeAndPing) {
  EXPECT_EQ(decodeAs<Leave>(R"({"op":"leave","room":"gala"})").room, "gala");
  auto s = decodeAs<Send>(R"({"op":"send","room":"gala","text":"你好 \"world\""})");
  EXPECT_EQ(s.room, "gala");
  EXPECT_EQ(s.text, "你好 \"world\"");
  EXPECT_EQ(decodeAs<Like>(R"({"op":"like","room":"gala","count":7})").count, 7u);
  EXPECT_EQ(decodeAs<Like>(R"({"op":"like","room":"gala"})").count, 1u);
  decodeAs<Ping>(R"({"op":"ping"})");
}

TEST(CommandDecoder, DecodesModerationOps) {
  auto d = decodeAs<Moderate>(R"({"op":"delete","room":"gala","id":12})");
  EXPECT_EQ(d.action, ModerationAction::Delete);
  EXPECT_EQ(d.room, "gala");
  EXPECT_EQ(d.messageId, 12u);
  auto m = decodeAs<Moderate>(R"({"op":"mute","room":"gala","user_id":-4,"seconds":60})");
  EXPECT_EQ(m.action, ModerationAction::Mute);
  EXPECT_EQ(m.userId, -4);
  EXPECT_EQ(m.seconds, 60);
  EXPECT_EQ(decodeAs<Moderate>(R"({"op":"unmute","room":"gala","user_id":4})").action,
            ModerationAction::Unmute);
  auto b = decodeAs<Moderate>(R"({"op":"ban","room":"gala","user_id":9})");
  EXPECT_EQ(b.action, ModerationAction::Ban);
  EXPECT_EQ(b.userId, 9);
  EXPECT_EQ(decodeAs<Moderate>(R"({"op":"unban","room":"gala","user_id":9})").action,
            ModerationAction::Unban);
  auto slow = decodeAs<Moderate>(R"({"op":"slow","room":"gala","seconds":0})");
  EXPECT_EQ(slow.action, ModerationAction::SlowMode);
  EXPECT_EQ(slow.seconds, 0);
  EXPECT_STREQ(actionName(ModerationAction::SlowMode), "slow_mode");
}

TEST(CommandDecoder, ModerationOpsNeedTheirFieldsWithTheRightTypes) {
  EXPECT_EQ(decodeError(R"({"op":"delete","room":"gala"})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"delete","room":"gala","id":-1})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"mute","room":"gala","user_id":1})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"mute","room":"gala","user_id":"1","seconds":5})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"ban","room":"gala","user_id":1.5})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"ban","room":"gala","user_id":18446744073709551615})").code,
            "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"slow","room":"bad room","seconds":5})").code, "chat.bad_request");
}

TEST(CommandDecoder, IgnoresUnknownFields) {
  EXPECT_EQ(decodeAs<Leave>(R"({"op":"leave","room":"gala","future":[1,2]})").room, "gala");
}

TEST(CommandDecoder, AcceptsTextOfExactly200CodePoints) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "坏";
  EXPECT_EQ(decodeAs<Send>(R"({"op":"send","room":"r","text":")" + text + "\"}").text, text);
}

TEST(CommandDecoder, RefusesTextOver200CodePoints) {
  std::string text;
  for (int i = 0; i < 201; ++i) text += "字";
  auto e = decodeError(R"({"op":"send","room":"r","text":")" + text + "\"}");
  EXPECT_EQ(e.code, "chat.too_long");
  EXPECT_NE(e.message.find("201"), std::string::npos) << e.message;
}

TEST(CommandDecoder, CountsEscapedSurrogatePairsAsOneCodePoint) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "\\ud83d\\ude00";
  auto r = decodeCommand(R"({"op":"send","room":"r","text":")" + text + "\"}",
                         DecodeLimits{.maxFrameBytes = 8192});
  ASSERT_TRUE(r) << r.error().message;
}

TEST(CommandDecoder, RefusesMalformedJson) {
  auto e = decodeError(R"({"op":"ping")");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("malformed JSON"), std::string::npos) << e.message;
  EXPECT_EQ(decodeError("").code, "chat.bad_request");
}

TEST(CommandDecoder, RefusesNonObjectFrames) {
  auto e = decodeError(R"(["op","ping"])");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("object"), std::string::npos) << e.message;
}

TEST(CommandDecoder, RefusesUnknownOpNamingIt) {
  auto e = decodeError(R"({"op":"dance"})");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("\"dance\""), std::string::npos) << e.message;
}

TEST(CommandDecoder, RefusesMissingFieldsNamingThem) {
  auto e = decodeError(R"({"op":"send","room":"gala"})");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("\"text\""), std::string::npos) << e.message;
  EXPECT_EQ(decodeError(R"({"room":"gala"})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"hello"})").code, "chat.bad_request");
}

TEST(CommandDecoder, RefusesWrongTypes) {
  auto e = decodeError(R"({"op":"send","room":"gala","text":42})");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("must be a string"), std::string::npos) << e.message;
  EXPECT_EQ(decodeError(R"({"op":7})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"join","room":"gala","since":"5"})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"join","room":"gala","since":-1})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"join","room":"gala","since":1.5})").code, "chat.bad_request");
}

TEST(CommandDecoder, RefusesLikeCountsOutOfRange) {
  EXPECT_EQ(decodeError(R"({"op":"like","room":"gala","count":0})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"like","room":"gala","count":1001})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"like","room":"gala","count":1e3})").code, "chat.bad_request");
}

TEST(CommandDecoder, RefusesBadRoomNames) {
  for (const char* frame :
       {R"({"op":"join","room":""})", R"({"op":"join","room":"../etc"})", R"({"op":"join","room":"a b"})",
        R"({"op":"join","room":"房间"})", R"({"op":"join","room":"-x"})"})
    EXPECT_EQ(decodeError(frame).code, "chat.bad_request") << frame;
  EXPECT_EQ(decodeError(R"({"op":"join","room":")" + std::string(65, 'a') + "\"}").code, "chat.bad_request");
  EXPECT_TRUE(validRoomName("Gala_2025.main-1"));
}

TEST(CommandDecoder, RefusesEmptyTextAndToken) {
  EXPECT_EQ(decodeError(R"({"op":"send","room":"gala","text":""})").code, "chat.bad_request");
  EXPECT_EQ(decodeError(R"({"op":"hello","token":""})").code, "chat.bad_request");
}

TEST(CommandDecoder, RefusesFramesOverTheSizeLimit) {
  auto e = decodeError(R"({"op":"ping","pad":")" + std::string(5000, 'x') + "\"}");
  EXPECT_EQ(e.code, "chat.frame_too_large");
}

TEST(CommandDecoder, RefusesInvalidUtf8) {
  EXPECT_EQ(decodeError("{\"op\":\"send\",\"room\":\"r\",\"text\":\"\xC0\xAF\"}").code, "chat.bad_utf8");
}

TEST(CommandDecoder, RefusesDeepNestingBeforeParsing) {
  auto e = decodeError(R"({"op":"ping","x":[[[[[1]]]]]})");
  EXPECT_EQ(e.code, "chat.bad_request");
  EXPECT_NE(e.message.find("nested"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace hub::chat::protocol
