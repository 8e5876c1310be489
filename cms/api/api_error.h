// cms/api/api_error.h
//
// The one error shape of the CMS API: a status, a stable code, a message for people and, for
// validation errors, a message per field. Its body is
// {"error":{"code":C,"message":M,"fields":{...}}} ("fields" only when there are some).
// 401 means "who are you?" (no or dead credentials), 403 "you may not" (known user, no right,
// or a cookie mutation without its CSRF token); objects outside the actor's subtree are 404.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cms/api/json.h"
#include "core/http/response.h"
#include "core/util/result.h"

namespace hub::cms {

struct ApiError {
  int status = 500;
  std::string code;
  std::string message;
  std::map<std::string, std::string> fields;
  // Extra response headers (Retry-After on 429, WWW-Authenticate on 401).
  std::vector<std::pair<std::string, std::string>> headers;

  // 422 "validation": fields maps a field name ("title", "variants[2].text") to what is wrong.
  static ApiError validation(std::map<std::string, std::string> fields,
                             std::string message = "some fields are not valid");
  // 400 with a code of the caller's ("bad_request", "bad_json", "org.bad_csv").
  static ApiError badRequest(std::string code, std::string message);
  // 401: no credentials, or an expired/revoked session or token.
  static ApiError unauthenticated(std::string code = "auth.unauthenticated",
                                  std::string message = "sign in first");
  // 403: signed in, but this role/org may not do it.
  static ApiError forbidden(std::string code = "auth.forbidden",
                            std::string message = "you may not do this here");
  // 404 "not_found", message "<what> not found".
  static ApiError notFound(std::string_view what);
  // 409 with the caller's code: "user.exists", "org.not_empty".
  static ApiError conflict(std::string code, std::string message);
  // 429 with Retry-After: seconds.
  static ApiError tooManyRequests(std::string code, std::string message, int retryAfterSeconds);
  // From a lower layer's Error: sql.constraint -> 409 "conflict", sql.busy/timeout/unavailable
  // -> 503 "unavailable", anything else -> 500 "internal" (logged with its message; the client
  // sees no internals).
  static ApiError fromError(const Error& error);

  Json body() const;
  http::Response response() const;
};

}  // namespace hub::cms
