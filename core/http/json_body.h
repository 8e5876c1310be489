// core/http/json_body.h
//
// Parses a request body as JSON with limits, so every API endpoint refuses bad input the same
// way: 400 with {"error":{"code":"bad_json","message":"..."}} naming what is wrong and where.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/http/request.h"
#include "core/http/response.h"
#include "core/util/result.h"

namespace hub::http {

struct JsonLimits {
  int maxDepth = 32;  // nesting of arrays and objects
};

// Error code "http.bad_json" for malformed text or nesting above the limit.
Result<nlohmann::json> parseJson(std::string_view text, const JsonLimits& limits = {});
Result<nlohmann::json> parseJsonBody(const Request& req, const JsonLimits& limits = {});

// The 400 response for a parse error.
Response badJson(const Error& e);

}  // namespace hub::http
