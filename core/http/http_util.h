// core/http/http_util.h
//
// Small pure parsers and formatters of HTTP syntax: percent-decoding, query strings, HTTP dates,
// byte ranges, entity tags and Accept-Encoding. No lws here, so each one is unit tested and
// fuzzable on its own.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::http {

// "%41+b" -> "A b" when plusIsSpace. Invalid escapes are kept as they are.
std::string urlDecode(std::string_view s, bool plusIsSpace = true);

// "a=1&b=%20x&c" -> {a,1} {b, x} {c,""}.
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view query);

// RFC 7231 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string httpDate(std::time_t t);
std::optional<std::time_t> parseHttpDate(std::string_view s);

struct ByteRange {
  std::uint64_t first = 0;  // inclusive
  std::uint64_t last = 0;   // inclusive
};
enum class RangeKind { None, Satisfiable, Unsatisfiable };
struct RangeResult {
  RangeKind kind = RangeKind::None;
  ByteRange range;
};
// One "bytes=" range against a representation of `size` bytes. A syntax we do not serve
// (other units, several ranges) is None: the whole body is sent, as RFC 7233 allows.
RangeResult parseRange(std::string_view header, std::uint64_t size);

// If-None-Match against our entity tag, with weak comparison (RFC 7232 3.2) and "*".
bool etagMatches(std::string_view ifNoneMatch, std::string_view etag);

// True when Accept-Encoding allows `coding` ("br", "gzip"): listed with q > 0, or "*" is.
bool acceptsEncoding(std::string_view acceptEncoding, std::string_view coding);

// ASCII lower-case copy.
std::string toLower(std::string_view s);

}  // namespace hub::http
