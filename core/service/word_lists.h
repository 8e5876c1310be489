// core/service/word_lists.h
//
// The chat's sensitive-word lists as stored in SQL, shared by the two services that touch them:
// the chat (reads them, builds its filter, serves /api/v1/chat/words to the admin token) and the
// CMS (/api/v1/moderation/words for the studio's moderators). Services never see each other, so
// the table, its validation and its JSON live here, in core.
//
// A list is a name, a kind (block: refuse the message; mask: replace the words by '*') and its
// words. A write replaces the whole set of lists in one transaction and bumps the change-feed
// topic kWordListsTopic in it, so every chat node (each hub polls hub_changes) rebuilds its
// filter within one poll. The change feed rather than a bus message: the bus is at most once, and
// a node that missed a message would filter with old lists until restarted.
//
// Limits (error "words.invalid", nothing stored): at most kMaxLists lists, names 1..64 of
// [a-z0-9_-] and unique, at most kMaxWordsPerList words a list, each word 1..kMaxWordCodePoints
// code points of valid UTF-8 without control characters. Duplicate words in a list are kept once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::service {

inline constexpr const char* kWordListsTopic = "chat.words";
inline constexpr std::size_t kMaxLists = 16;
inline constexpr std::size_t kMaxWordsPerList = 2000;
inline constexpr std::size_t kMaxWordCodePoints = 32;

struct StoredWordList {
  std::string name;
  std::string kind;  // "block" or "mask"
  std::vector<std::string> words;
  std::int64_t updatedAt = 0;  // ms since the epoch
  std::string updatedBy;       // who saved it last ("admin", a CMS user name)
};

// Component "words": the table chat_word_lists.
std::vector<sql::Migration> wordListMigrations();

// Checks and normalises (drops duplicate words, keeps order) in place.
Status validateWordLists(std::vector<StoredWordList>& lists);

// {"lists":[{"name":..,"kind":..,"words":[..]}]} -> lists, validated. Error "words.invalid".
Result<std::vector<StoredWordList>> wordListsFromJson(std::string_view body);
// The same shape back, with "updated_at" and "updated_by" per list.
std::string wordListsToJson(const std::vector<StoredWordList>& lists);

// Blocking SQL: worker threads only.
Result<std::vector<StoredWordList>> loadWordLists(sql::Executor& db);
// Replaces every list by `lists` (validated first) and bumps kWordListsTopic, on `db` — pass the
// Transaction that also writes the audit entry. nowMs and by fill updatedAt/updatedBy.
Status replaceWordLists(sql::Executor& db, std::vector<StoredWordList> lists, std::int64_t nowMs,
                        const std::string& by);

}  // namespace hub::service
