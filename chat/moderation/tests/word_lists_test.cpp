// chat/moderation/tests/word_lists_test.cpp
//
// The stored word lists (core/service/word_lists.h), which this filter is built from: what is
// refused as words.invalid, what is normalised, and a replace that round-trips through SQLite
// and bumps the change-feed topic every chat node watches.
#include "core/service/word_lists.h"

#include <gtest/gtest.h>

#include "core/sql/change_feed.h"
#include "core/sql/database.h"
#include "tests/support/fixtures.h"

namespace hub::service {
namespace {

std::vector<StoredWordList> one(std::string name, std::string kind, std::vector<std::string> words) {
  StoredWordList l;
  l.name = std::move(name);
  l.kind = std::move(kind);
  l.words = std::move(words);
  return {l};
}

TEST(WordLists, RefusesWhatTheFilterCannotUse) {
  for (auto lists :
       {one("x", "block", {""}), one("x", "block", {"\xff"}), one("x", "block", {"\xe7\x9b"}),
        one("x", "block", {"\xc0\xaf"}), one("x", "block", {"a\tb"}), one("x", "block", {"a\xc2\x85"}),
        one("x", "block", {std::string(33, 'w')}), one("x", "shout", {"w"}), one("Big", "mask", {"w"}),
        one("", "mask", {"w"}), one("x", "mask", std::vector<std::string>(kMaxWordsPerList + 1, "w"))}) {
    auto st = validateWordLists(lists);
    ASSERT_FALSE(st) << lists[0].name << " " << (lists[0].words.empty() ? "" : lists[0].words[0]);
    EXPECT_EQ(st.error().code, "words.invalid");
  }
  auto twice = one("x", "mask", {"w"});
  twice.push_back(twice[0]);
  EXPECT_FALSE(validateWordLists(twice));
}

TEST(WordLists, CountsCharactersNotBytesAndKeepsEachWordOnce) {
  std::string longest;
  for (int i = 0; i < 32; ++i) longest += "字";  // 32 characters, 96 bytes
  auto lists = one("politics", "block", {longest, "禁", "字字字字", "禁"});
  ASSERT_TRUE(validateWordLists(lists));
  EXPECT_EQ(lists[0].words, (std::vector<std::string>{longest, "禁", "字字字字"}));
}

TEST(WordLists, JsonInAndOut) {
  auto lists = wordListsFromJson(R"({"lists":[{"name":"rude","kind":"mask","words":["bad","坏"]}]})");
  ASSERT_TRUE(lists) << lists.error().message;
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].words, (std::vector<std::string>{"bad", "坏"}));
  for (const char* bad :
       {"", "[]", "{\"lists\":{}}", "{\"lists\":[{\"name\":\"x\",\"kind\":\"mask\"}]}",
        "{\"lists\":[{\"name\":\"x\",\"kind\":\"mask\",\"words\":[1]}]}", "{\"lists\":[\"\xff\"]}"}) {
    auto r = wordListsFromJson(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "words.invalid");
  }
  EXPECT_NE(wordListsToJson(*lists).find("\"updated_by\""), std::string::npos);
}

TEST(WordLists, ReplaceRoundTripsAndBumpsTheTopic) {
  test::TempDir dir;
  auto db = sql::open("sqlite://" + dir.path() + "/hub.db");
  ASSERT_TRUE(db) << db.error().message;
  auto all = sql::coreMigrations();
  for (auto& m : wordListMigrations()) all.push_back(m);
  ASSERT_TRUE(sql::migrate(**db, all));
  auto version = [&] {
    auto rows =
        (*db)->query("SELECT version FROM hub_changes WHERE topic = ?", {std::string(kWordListsTopic)});
    return rows && !rows->empty() ? (*rows)[0].getInt("version") : 0;
  };
  auto lists = one("politics", "block", {"禁词", "敏感"});
  lists.push_back(one("rude", "mask", {"bad"})[0]);
  ASSERT_TRUE(replaceWordLists(**db, lists, 1234, "mia"));
  EXPECT_EQ(version(), 1);
  auto back = loadWordLists(**db);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].words, lists[0].words);
  EXPECT_EQ((*back)[1].kind, "mask");
  EXPECT_EQ((*back)[1].updatedAt, 1234);
  EXPECT_EQ((*back)[1].updatedBy, "mia");
  // A bad set changes nothing, not even the topic.
  EXPECT_FALSE(replaceWordLists(**db, one("x", "block", {""}), 1, "mia"));
  EXPECT_EQ(version(), 1);
  EXPECT_EQ(loadWordLists(**db)->size(), 2u);
  ASSERT_TRUE(replaceWordLists(**db, {}, 2, "mia"));
  EXPECT_TRUE(loadWordLists(**db)->empty());
  EXPECT_EQ(version(), 2);
}

}  // namespace
}  // namespace hub::service
