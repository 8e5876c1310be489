// chat/moderation/word_filter.h
//
// The sensitive-word filter: finds every listed word in a chat text in one pass (Aho-Corasick
// over code points) and either refuses the message (Block) or masks the words (Mask).
//
// Matching folds what people use to dodge filters: ASCII case ("BadWord" = "badword") and
// full-width forms ("ｂａｄｗｏｒｄ": U+FF01..U+FF5E become U+0021..U+007E, U+3000 a space).
// Chinese needs no word boundaries, so none are assumed: a word matches anywhere in the text.
// Masking replaces each matched code point by one '*' in the original text and keeps every
// other byte as it was sent.
//
// Built once from the configured lists, then immutable: share one instance between all threads
// (std::shared_ptr<const WordFilter>) and build a new one when the lists change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/util/result.h"

namespace hub::chat::moderation {

enum class FilterAction { Block, Mask };

struct WordList {
  std::string name;  // for logs and metrics: "politics", "profanity"
  FilterAction action = FilterAction::Mask;
  std::vector<std::string> words;  // UTF-8; empty entries are ignored
};

struct FilterVerdict {
  bool blocked = false;     // a Block word matched: refuse with chat.filtered
  std::string text;         // the text to send, masked where Mask words matched
  std::size_t hits = 0;     // matched words of any list, for the filter-hits metric
  std::string blockedList;  // the list that blocked, for the moderation log (never the word)
};

class WordFilter {
 public:
  // Error "chat.bad_word_list" when a word is not valid UTF-8.
  static Result<WordFilter> build(const std::vector<WordList>& lists);

  // `text` should be valid UTF-8 (the decoder guarantees it); invalid bytes are kept as they are
  // and match nothing.
  FilterVerdict apply(std::string_view text) const;

  std::size_t wordCount() const { return words_; }

  // The folding applied to words and text alike.
  static char32_t fold(char32_t cp);

 private:
  struct Node {
    std::int32_t fail = 0;
    std::uint32_t maskLen = 0;    // longest Mask word ending here (itself or through `fail`)
    std::uint32_t hitCount = 0;   // words ending here, through `fail` included
    std::int32_t blockList = -1;  // a Block list with a word ending here, or -1
  };

  std::int32_t child(std::int32_t node, char32_t cp) const;
  std::int32_t step(std::int32_t node, char32_t cp) const;

  std::vector<Node> nodes_;
  // Edges of the trie keyed by (node << 32 | code point): one flat table, cheap for the huge,
  // sparse alphabet of Unicode.
  std::unordered_map<std::uint64_t, std::int32_t> edges_;
  std::vector<std::string> listNames_;
  std::size_t words_ = 0;
};

}  // namespace hub::chat::moderation
