// core/http/fuzz/http_parsers_fuzz.cpp
//
// Fuzzes the request-header parsers that see raw client bytes on every request: Range,
// If-None-Match, Accept-Encoding, query strings, percent-decoding, HTTP dates and JSON bodies
// (with the depth limit). Any input must give an answer, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http/http_util.h"
#include "core/http/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto range = hub::http::parseRange(in, size * 3);
  (void)range;
  (void)hub::http::etagMatches(in, "\"abc-123\"");
  (void)hub::http::acceptsEncoding(in, "br");
  (void)hub::http::parseQuery(in);
  (void)hub::http::urlDecode(in);
  (void)hub::http::parseHttpDate(in);
  auto json = hub::http::parseJson(in);
  (void)json;
  return 0;
}
