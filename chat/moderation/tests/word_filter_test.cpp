// chat/moderation/tests/word_filter_test.cpp
//
// The filter finds listed words however they are dressed up (case, full-width forms, inside
// Chinese text), blocks or masks as its list says, and never touches the rest of the text.
#include "chat/moderation/word_filter.h"

#include <gtest/gtest.h>

namespace hub::chat::moderation {
namespace {

WordFilter makeFilter(std::vector<WordList> lists) {
  auto f = WordFilter::build(lists);
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return f ? std::move(f).value() : WordFilter{};
}

WordFilter maskOnly(std::vector<std::string> words) {
  return makeFilter({{"mask", FilterAction::Mask, words}});
}

TEST(WordFilter, MatchesChineseWordInsideText) {
  auto f = makeFilter({{"block", FilterAction::Block, {"坏词", "BadWord"}}});
  auto v = f.apply("这是坏词");
  EXPECT_TRUE(v.blocked);
  EXPECT_EQ(v.blockedList, "block");
  EXPECT_EQ(v.hits, 1u);
}

TEST(WordFilter, FoldsFullWidthLetters) {
  auto f = makeFilter({{"block", FilterAction::Block, {"坏词", "BadWord"}}});
  EXPECT_TRUE(f.apply("ｂａｄｗｏｒｄ").blocked);
  EXPECT_TRUE(f.apply("ＢＡＤＷＯＲＤ!").blocked);
  EXPECT_EQ(WordFilter::fold(U'\u3000'), U' ');
  EXPECT_EQ(WordFilter::fold(U'！'), U'!');
  EXPECT_EQ(WordFilter::fold(U'～'), U'~');
}

TEST(WordFilter, FoldsAsciiCase) {
  auto f = maskOnly({"BadWord"});
  EXPECT_EQ(f.apply("a BADWORD and a badword").text, "a ******* and a *******");
}

TEST(WordFilter, FoldsIdeographicSpaceInWords) {
  auto f = maskOnly({"bad word"});
  EXPECT_EQ(f.apply("so bad\u3000word here").text, "so ******** here");
}

TEST(WordFilter, MasksChineseWordKeepingTheRest) {
  auto f = maskOnly({"坏词"});
  auto v = f.apply("这是坏词，好词 ok");
  EXPECT_FALSE(v.blocked);
  EXPECT_EQ(v.text, "这是**，好词 ok");
  EXPECT_EQ(v.hits, 1u);
}

TEST(WordFilter, MasksFullWidthMatchInOriginalForm) {
  auto f = maskOnly({"bad"});
  EXPECT_EQ(f.apply("x ｂＡd y").text, "x *** y");
}

TEST(WordFilter, MasksOverlappingAndNestedWords) {
  auto f = maskOnly({"abc", "cde", "b"});
  EXPECT_EQ(f.apply("zabcdez").text, "z*****z");
  EXPECT_EQ(f.apply("xbx").text, "x*x");
}

TEST(WordFilter, FindsWordsThatAreSuffixesOfOthers) {
  // After "she" the walk must fall back to "he" to find "hers": the classic Aho-Corasick case.
  auto f = maskOnly({"she", "hers"});
  auto v = f.apply("ushers");
  EXPECT_EQ(v.text, "u*****");
  EXPECT_EQ(v.hits, 2u);
}

TEST(WordFilter, LeavesCleanTextUntouched) {
  auto f = maskOnly({"坏词"});
  auto v = f.apply("好好学习 \U0001F600");
  EXPECT_FALSE(v.blocked);
  EXPECT_EQ(v.hits, 0u);
  EXPECT_EQ(v.text, "好好学习 \U0001F600");
}

TEST(WordFilter, BlockWinsOverMaskWhenBothMatch) {
  auto f = makeFilter({{"mask", FilterAction::Mask, {"rude"}}, {"politics", FilterAction::Block, {"禁词"}}});
  auto v = f.apply("rude 禁词");
  EXPECT_TRUE(v.blocked);
  EXPECT_EQ(v.blockedList, "politics");
  EXPECT_EQ(v.hits, 2u);
}

TEST(WordFilter, KeepsInvalidBytesAndMatchesAcrossNothing) {
  auto f = maskOnly({"ab"});
  EXPECT_EQ(f.apply("a\xFF"
                    "b ab")
                .text,
            "a\xFF"
            "b **");
}

TEST(WordFilter, IgnoresEmptyWordsAndCountsDistinctOnes) {
  auto f = makeFilter({{"a", FilterAction::Mask, {"", "x", "X"}}, {"b", FilterAction::Block, {"x"}}});
  EXPECT_EQ(f.wordCount(), 1u);
  EXPECT_TRUE(f.apply("x").blocked);
}

TEST(WordFilter, RefusesWordListWithInvalidUtf8) {
  auto f = WordFilter::build({{"bad", FilterAction::Block, {"ok", "\xC0\xAF"}}});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, "chat.bad_word_list");
}

TEST(WordFilter, EmptyFilterPassesEverything) {
  auto f = makeFilter({});
  EXPECT_EQ(f.apply("anything").text, "anything");
}

}  // namespace
}  // namespace hub::chat::moderation
