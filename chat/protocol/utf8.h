// chat/protocol/utf8.h
//
// UTF-8 checks for chat text. A text frame that is not valid UTF-8 makes the server close the
// connection with 1007; lengths people see ("200 characters") are counted in code points, not
// bytes, so Chinese text gets the same limit as English.
#pragma once

#include <cstddef>
#include <string_view>

namespace hub::chat::protocol {

// Strict RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool validUtf8(std::string_view text);

// Code points in `text`; an invalid byte counts as one (so the count is defined on any input).
std::size_t countCodePoints(std::string_view text);

// Decodes the code point at `pos` and advances `pos` past it. An invalid or truncated sequence
// yields U+FFFD and advances by one byte, so callers never loop forever on bad input.
char32_t nextCodePoint(std::string_view text, std::size_t& pos);

// Appends the UTF-8 form of `cp` (which must be a valid scalar value) to `out`.
template <class String>
void appendUtf8(String& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace hub::chat::protocol
