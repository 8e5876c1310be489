// chat/moderation/fuzz/word_filter_fuzz.cpp
//
// Fuzzes the word filter with arbitrary text (valid or not) against a fixed list mixing Chinese,
// full-width and overlapping words. Masking must keep the text's shape: as many code points as
// the input, and valid UTF-8 in gives valid UTF-8 out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chat/moderation/word_filter.h"
#include "chat/protocol/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hub::chat;
  static const moderation::WordFilter filter = [] {
    auto f = moderation::WordFilter::build({
        {"mask", moderation::FilterAction::Mask, {"坏词", "BadWord", "abc", "bcd", "c", "ｘｙ"}},
        {"block", moderation::FilterAction::Block, {"禁止", "he", "hers"}},
    });
    if (!f) std::abort();
    return std::move(f).value();
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto v = filter.apply(in);
  if (protocol::countCodePoints(v.text) != protocol::countCodePoints(in)) std::abort();
  if (protocol::validUtf8(in) && !protocol::validUtf8(v.text)) std::abort();
  return 0;
}
