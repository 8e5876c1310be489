// chat/moderation/word_filter.cpp
//
// Aho-Corasick without a full transition table (the alphabet is all of Unicode): a miss follows
// failure links. Each node carries what matters once a match ends there — the longest Mask word,
// whether a Block word matched — folded along the failure chain at build time, so the scan does
// one lookup per code point and never walks output lists.
#include "chat/moderation/word_filter.h"

#include <algorithm>
#include <deque>

#include "chat/protocol/utf8.h"

namespace hub::chat::moderation {

namespace {

std::uint64_t edgeKey(std::int32_t node, char32_t cp) {
  return (static_cast<std::uint64_t>(node) << 32) | static_cast<std::uint64_t>(cp);
}

}  // namespace

char32_t WordFilter::fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII to half-width
  if (cp == 0x3000) cp = U' ';                     // ideographic space
  if (cp >= U'A' && cp <= U'Z') cp += U'a' - U'A';
  return cp;
}

std::int32_t WordFilter::child(std::int32_t node, char32_t cp) const {
  auto it = edges_.find(edgeKey(node, cp));
  return it == edges_.end() ? -1 : it->second;
}

std::int32_t WordFilter::step(std::int32_t node, char32_t cp) const {
  for (;;) {
    if (std::int32_t next = child(node, cp); next >= 0) return next;
    if (node == 0) return 0;
    node = nodes_[node].fail;
  }
}

Result<WordFilter> WordFilter::build(const std::vector<WordList>& lists) {
  WordFilter f;
  f.nodes_.emplace_back();
  std::vector<std::uint32_t> depth{0};
  for (std::size_t li = 0; li < lists.size(); ++li) {
    const WordList& list = lists[li];
    f.listNames_.push_back(list.name);
    for (const std::string& word : list.words) {
      if (!protocol::validUtf8(word))
        return makeError("chat.bad_word_list", "list \"" + list.name + "\": a word is not valid UTF-8");
      std::int32_t node = 0;
      for (std::size_t pos = 0; pos < word.size();) {
        const char32_t cp = fold(protocol::nextCodePoint(word, pos));
        std::int32_t next = f.child(node, cp);
        if (next < 0) {
          next = static_cast<std::int32_t>(f.nodes_.size());
          f.nodes_.emplace_back();
          depth.push_back(depth[node] + 1);
          f.edges_.emplace(edgeKey(node, cp), next);
        }
        node = next;
      }
      if (node == 0) continue;  // empty word
      Node& n = f.nodes_[node];
      if (n.hitCount == 0) ++f.words_;
      n.hitCount = 1;  // the same word in two lists is one hit
      if (list.action == FilterAction::Mask)
        n.maskLen = depth[node];
      else if (n.blockList < 0)
        n.blockList = static_cast<std::int32_t>(li);
    }
  }

  // Children of each node, gathered once so the breadth-first pass visits parents first.
  std::vector<std::vector<std::pair<char32_t, std::int32_t>>> children(f.nodes_.size());
  for (const auto& [key, to] : f.edges_)
    children[key >> 32].emplace_back(static_cast<char32_t>(key & 0xFFFFFFFFu), to);
  std::deque<std::int32_t> queue;
  for (const auto& [cp, to] : children[0]) queue.push_back(to);  // depth 1 fails to the root
  while (!queue.empty()) {
    const std::int32_t node = queue.front();
    queue.pop_front();
    for (const auto& [cp, to] : children[node]) {
      const std::int32_t fail = f.step(f.nodes_[node].fail, cp);
      Node& n = f.nodes_[to];
      const Node& fn = f.nodes_[fail];
      n.fail = fail;
      n.maskLen = std::max(n.maskLen, fn.maskLen);
      n.hitCount += fn.hitCount;
      if (n.blockList < 0) n.blockList = fn.blockList;
      queue.push_back(to);
    }
  }
  return f;
}

FilterVerdict WordFilter::apply(std::string_view text) const {
  FilterVerdict v;
  // Byte offset where each code point starts, and how far back a mask reaches from each end.
  std::vector<std::size_t> starts;
  std::vector<bool> masked;
  std::int32_t node = 0;
  bool anyMask = false;
  for (std::size_t pos = 0; pos < text.size();) {
    starts.push_back(pos);
    masked.push_back(false);
    const std::size_t before = pos;
    const char32_t raw = protocol::nextCodePoint(text, pos);
    // A broken byte decodes to U+FFFD, which a listed word may contain: break the match instead.
    const bool broken = raw == 0xFFFD && pos - before == 1;
    node = broken ? 0 : step(node, fold(raw));
    const Node& n = nodes_[node];
    if (n.hitCount == 0) continue;
    v.hits += n.hitCount;
    if (n.blockList >= 0 && !v.blocked) {
      v.blocked = true;
      v.blockedList = listNames_[n.blockList];
    }
    if (n.maskLen > 0) {
      anyMask = true;
      const std::size_t last = masked.size() - 1;
      for (std::size_t i = 0; i < n.maskLen; ++i) masked[last - i] = true;
    }
  }
  if (!anyMask) {
    v.text.assign(text);
    return v;
  }
  starts.push_back(text.size());
  v.text.reserve(text.size());
  for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
    if (masked[i])
      v.text += '*';
    else
      v.text.append(text.substr(starts[i], starts[i + 1] - starts[i]));
  }
  return v;
}

}  // namespace hub::chat::moderation
