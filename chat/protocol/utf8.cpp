// chat/protocol/utf8.cpp
//
// One decoder serves validation, counting and the word filter, so they can never disagree on
// where a code point starts.
#include "chat/protocol/utf8.h"

namespace hub::chat::protocol {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one sequence at `pos`; returns its length in bytes, 0 when invalid.
std::size_t decodeOne(std::string_view s, std::size_t pos, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() - pos < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

bool validUtf8(std::string_view text) {
  std::size_t pos = 0;
  char32_t cp;
  while (pos < text.size()) {
    // ASCII runs dominate chat traffic: skip them without the general decoder.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const std::size_t len = decodeOne(text, pos, cp);
    if (len == 0) return false;
    pos += len;
  }
  return true;
}

std::size_t countCodePoints(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t pos = 0; pos < text.size(); ++n) nextCodePoint(text, pos);
  return n;
}

char32_t nextCodePoint(std::string_view text, std::size_t& pos) {
  char32_t cp;
  const std::size_t len = decodeOne(text, pos, cp);
  if (len == 0) {
    ++pos;
    return kReplacement;
  }
  pos += len;
  return cp;
}

}  // namespace hub::chat::protocol
