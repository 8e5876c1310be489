// core/sql/statement_splitter.cpp
//
// A small scanner rather than a parser: it only needs to know where quotes, comments and
// compound-statement bodies start and end. Keywords are recognised as whole words outside
// quotes; CASE ... END inside a trigger body nests like BEGIN ... END.
#include "core/sql/statement_splitter.h"

#include <cctype>

namespace hub::sql {
namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Skips a comment starting at i; returns the index after it, or i when there is none.
std::size_t skipComment(std::string_view s, std::size_t i) {
  if (s[i] == '#' || (s.compare(i, 2, "--") == 0 &&
                      (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2]))))) {
    std::size_t nl = s.find('\n', i);
    return nl == std::string_view::npos ? s.size() : nl + 1;
  }
  if (s.compare(i, 2, "/*") == 0) {
    std::size_t end = s.find("*/", i + 2);
    return end == std::string_view::npos ? s.size() : end + 2;
  }
  return i;
}

bool onlyBlanksAndComments(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    std::size_t after = skipComment(s, i);
    if (after == i) return false;
    i = after;
  }
  return true;
}

}  // namespace

std::string firstKeyword(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(') {
      ++i;
      continue;
    }
    std::size_t after = skipComment(sql, i);
    if (after != i) {
      i = after;
      continue;
    }
    std::size_t j = i;
    while (j < sql.size() && isWordChar(sql[j])) ++j;
    return upper(sql.substr(i, j - i));
  }
  return {};
}

std::vector<std::string> splitStatements(std::string_view script) {
  std::vector<std::string> out;
  std::size_t start = 0;
  int depth = 0;          // BEGIN/CASE nesting inside a compound statement
  bool compound = false;  // this statement is CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT
  bool sawCreate = false;
  int wordsSeen = 0;
  bool afterEnd = false;  // the previous word was an END that closed a block

  auto flush = [&](std::size_t end) {
    std::string_view piece = script.substr(start, end - start);
    if (!onlyBlanksAndComments(piece)) {
      std::string t = trim(piece);
      if (!t.empty()) out.push_back(std::move(t));
    }
    start = end + 1;
    depth = 0;
    compound = sawCreate = false;
    wordsSeen = 0;
    afterEnd = false;
  };

  std::size_t i = 0;
  while (i < script.size()) {
    char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      // Quotes end at the same character; a doubled quote or a backslash escapes it.
      std::size_t j = i + 1;
      while (j < script.size()) {
        if (script[j] == '\\' && c != '`') {
          j += 2;
          continue;
        }
        if (script[j] == c) {
          if (j + 1 < script.size() && script[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      i = j + 1;
      continue;
    }
    std::size_t after = skipComment(script, i);
    if (after != i) {
      i = after;
      continue;
    }
    if (isWordChar(c) && (i == 0 || !isWordChar(script[i - 1]))) {
      std::size_t j = i;
      while (j < script.size() && isWordChar(script[j])) ++j;
      std::string word = upper(script.substr(i, j - i));
      ++wordsSeen;
      if (wordsSeen == 1) sawCreate = word == "CREATE";
      // CREATE [OR REPLACE] [DEFINER=x] [TEMP] TRIGGER|PROCEDURE|FUNCTION|EVENT: look a few words on.
      if (sawCreate && wordsSeen <= 6 &&
          (word == "TRIGGER" || word == "PROCEDURE" || word == "FUNCTION" || word == "EVENT"))
        compound = true;
      if (compound) {
        // END IF / END LOOP / END WHILE / END REPEAT close blocks that never opened a level,
        // END CASE the level its CASE opened: undo or absorb the END accordingly.
        bool closesKeyword = afterEnd && (word == "IF" || word == "LOOP" || word == "WHILE" ||
                                          word == "REPEAT" || word == "CASE");
        if (closesKeyword) {
          if (word != "CASE") ++depth;
          afterEnd = false;
        } else {
          afterEnd = false;
          if (word == "BEGIN" || word == "CASE") ++depth;
          if (word == "END" && depth > 0) {
            --depth;
            afterEnd = true;
          }
        }
      }
      i = j;
      continue;
    }
    if (c == ';' && depth == 0) flush(i);
    ++i;
  }
  if (start < script.size()) flush(script.size());
  return out;
}

}  // namespace hub::sql
