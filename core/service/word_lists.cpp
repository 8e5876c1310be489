// core/service/word_lists.cpp
//
// Words are stored one per line in one text column per list: a list is always read and written
// whole, and validation forbids control characters, so a newline never occurs inside a word.
#include "core/service/word_lists.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/sql/change_feed.h"

namespace hub::service {
namespace {

Error invalid(std::string message) { return makeError("words.invalid", std::move(message)); }

// Code points of `s` when it is valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF)
// without control characters; -1 otherwise.
long codePointsIfClean(std::string_view s) {
  long n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b < 0x20 || b == 0x7f) return -1;
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return -1;
    }
    if (i + len > s.size()) return -1;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
      return -1;
    i += len;
  }
  return n;
}

bool goodName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string joinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += '\n';
    out += w;
  }
  return out;
}

}  // namespace

std::vector<sql::Migration> wordListMigrations() {
  sql::Migration m;
  m.component = "words";
  m.version = 1;
  m.name = "chat sensitive-word lists";
  const std::string head =
      "CREATE TABLE chat_word_lists (name VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(8) NOT NULL,"
      " words ";
  const std::string tail = " NOT NULL, updated_at BIGINT NOT NULL, updated_by VARCHAR(100) NOT NULL);";
  m.sqlite = head + "TEXT" + tail;
  m.mysql = head + "MEDIUMTEXT" + tail;  // 2,000 words of 32 code points: up to 256 KiB
  return {m};
}

Status validateWordLists(std::vector<StoredWordList>& lists) {
  if (lists.size() > kMaxLists) return invalid("at most " + std::to_string(kMaxLists) + " lists");
  std::set<std::string> names;
  for (auto& list : lists) {
    if (!goodName(list.name)) return invalid("a list name must be 1 to 64 of a-z, 0-9, _ and -");
    if (!names.insert(list.name).second) return invalid("list \"" + list.name + "\" appears twice");
    if (list.kind != "block" && list.kind != "mask")
      return invalid("list \"" + list.name + "\": kind must be block or mask");
    if (list.words.size() > kMaxWordsPerList)
      return invalid("list \"" + list.name + "\": at most " + std::to_string(kMaxWordsPerList) + " words");
    std::set<std::string> seen;
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < list.words.size(); ++i) {
      const long n = codePointsIfClean(list.words[i]);
      const std::string where = "list \"" + list.name + "\", word " + std::to_string(i + 1);
      if (n < 0) return invalid(where + ": not valid UTF-8 text (or a control character)");
      if (n == 0) return invalid(where + ": empty");
      if (static_cast<std::size_t>(n) > kMaxWordCodePoints)
        return invalid(where + ": longer than " + std::to_string(kMaxWordCodePoints) + " characters");
      if (seen.insert(list.words[i]).second) kept.push_back(std::move(list.words[i]));
    }
    list.words = std::move(kept);
  }
  return {};
}

Result<std::vector<StoredWordList>> wordListsFromJson(std::string_view body) {
  // Invalid UTF-8 inside JSON strings is a parse error for nlohmann: answered as such below.
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return invalid("the body is not JSON (or not valid UTF-8)");
  if (!j.is_object() || !j.contains("lists") || !j["lists"].is_array())
    return invalid("body needs {\"lists\": [{\"name\", \"kind\", \"words\"}]}");
  std::vector<StoredWordList> lists;
  for (const auto& l : j["lists"]) {
    if (!l.is_object() || !l.contains("name") || !l["name"].is_string() || !l.contains("kind") ||
        !l["kind"].is_string() || !l.contains("words") || !l["words"].is_array())
      return invalid("each list needs a name, a kind and words");
    StoredWordList list;
    list.name = l["name"].get<std::string>();
    list.kind = l["kind"].get<std::string>();
    if (l["words"].size() > kMaxWordsPerList)
      return invalid("list \"" + list.name + "\": at most " + std::to_string(kMaxWordsPerList) + " words");
    for (const auto& w : l["words"]) {
      if (!w.is_string()) return invalid("list \"" + list.name + "\": words must be strings");
      list.words.push_back(w.get<std::string>());
    }
    lists.push_back(std::move(list));
    if (lists.size() > kMaxLists) return invalid("at most " + std::to_string(kMaxLists) + " lists");
  }
  if (auto st = validateWordLists(lists); !st) return st.error();
  return lists;
}

std::string wordListsToJson(const std::vector<StoredWordList>& lists) {
  auto arr = nlohmann::json::array();
  for (const auto& l : lists)
    arr.push_back({{"name", l.name},
                   {"kind", l.kind},
                   {"words", l.words},
                   {"updated_at", l.updatedAt},
                   {"updated_by", l.updatedBy}});
  return nlohmann::json{{"lists", arr}}.dump();
}

Result<std::vector<StoredWordList>> loadWordLists(sql::Executor& db) {
  auto rows = db.query("SELECT name, kind, words, updated_at, updated_by FROM chat_word_lists ORDER BY name");
  if (!rows) return rows.error().wrap("word lists");
  std::vector<StoredWordList> out;
  for (const auto& row : *rows) {
    StoredWordList l;
    l.name = row.getString("name");
    l.kind = row.getString("kind");
    const std::string words = row.getString("words");
    for (std::size_t start = 0; start < words.size();) {
      auto end = words.find('\n', start);
      if (end == std::string::npos) end = words.size();
      if (end > start) l.words.push_back(words.substr(start, end - start));
      start = end + 1;
    }
    l.updatedAt = row.getInt("updated_at");
    l.updatedBy = row.getString("updated_by");
    out.push_back(std::move(l));
  }
  return out;
}

Status replaceWordLists(sql::Executor& db, std::vector<StoredWordList> lists, std::int64_t nowMs,
                        const std::string& by) {
  if (auto st = validateWordLists(lists); !st) return st;
  if (auto r = db.exec("DELETE FROM chat_word_lists"); !r) return r.error().wrap("word lists");
  for (const auto& l : lists) {
    auto r = db.exec(
        "INSERT INTO chat_word_lists (name, kind, words, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)",
        {l.name, l.kind, joinWords(l.words), nowMs, by.substr(0, 100)});
    if (!r) return r.error().wrap("word lists");
  }
  return sql::bumpChange(db, kWordListsTopic);
}

}  // namespace hub::service
