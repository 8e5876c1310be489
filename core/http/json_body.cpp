// core/http/json_body.cpp
//
// The depth is checked by a scan before parsing: cheap, and it bounds the parser's memory on
// input like "[[[[...". nlohmann's exceptions stop here and become Error values.
#include "core/http/json_body.h"

#include <string>

namespace hub::http {

namespace {

// Deepest nesting of [ and { outside strings, stopping early past the limit.
int nestingDepth(std::string_view s, int limit) {
  int depth = 0, maxDepth = 0;
  bool inString = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > maxDepth) maxDepth = depth;
      if (maxDepth > limit) return maxDepth;
    } else if (c == ']' || c == '}')
      --depth;
  }
  return maxDepth;
}

}  // namespace

Result<nlohmann::json> parseJson(std::string_view text, const JsonLimits& limits) {
  if (nestingDepth(text, limits.maxDepth) > limits.maxDepth)
    return makeError("http.bad_json",
                     "JSON nested deeper than " + std::to_string(limits.maxDepth) + " levels");
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    std::string what = e.what();
    auto bracket = what.find("] ");
    return makeError("http.bad_json",
                     "malformed JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

Result<nlohmann::json> parseJsonBody(const Request& req, const JsonLimits& limits) {
  if (req.body.empty()) return makeError("http.bad_json", "request body is empty, JSON expected");
  return parseJson(req.body, limits);
}

Response badJson(const Error& e) { return Response::error(400, "bad_json", e.message); }

}  // namespace hub::http
