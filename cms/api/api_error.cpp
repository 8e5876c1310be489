// cms/api/api_error.cpp
//
// ApiError makers and their HTTP form.
#include "cms/api/api_error.h"

#include "core/log/log.h"
#include "core/sql/errors.h"

namespace hub::cms {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.api");
  return log;
}

ApiError make(int status, std::string code, std::string message) {
  ApiError e;
  e.status = status;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

}  // namespace

ApiError ApiError::validation(std::map<std::string, std::string> fields, std::string message) {
  ApiError e = make(422, "validation", std::move(message));
  e.fields = std::move(fields);
  return e;
}

ApiError ApiError::badRequest(std::string code, std::string message) {
  return make(400, std::move(code), std::move(message));
}

ApiError ApiError::unauthenticated(std::string code, std::string message) {
  ApiError e = make(401, std::move(code), std::move(message));
  e.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hub\"");
  return e;
}

ApiError ApiError::forbidden(std::string code, std::string message) {
  return make(403, std::move(code), std::move(message));
}

ApiError ApiError::notFound(std::string_view what) {
  return make(404, "not_found", std::string(what) + " not found");
}

ApiError ApiError::conflict(std::string code, std::string message) {
  return make(409, std::move(code), std::move(message));
}

ApiError ApiError::tooManyRequests(std::string code, std::string message, int retryAfterSeconds) {
  ApiError e = make(429, std::move(code), std::move(message));
  e.headers.emplace_back("Retry-After", std::to_string(retryAfterSeconds < 1 ? 1 : retryAfterSeconds));
  return e;
}

ApiError ApiError::fromError(const Error& error) {
  if (error.code == sql::errc::kConstraint) return conflict("conflict", "this conflicts with existing data");
  if (error.code == sql::errc::kBusy || error.code == sql::errc::kTimeout ||
      error.code == sql::errc::kUnavailable) {
    logger()->warn("database unavailable: {}", error.message);
    return make(503, "unavailable", "the database is busy or unavailable, try again");
  }
  logger()->error("internal error [{}]: {}", error.code, error.message);
  return make(500, "internal", "internal error");
}

Json ApiError::body() const {
  Json e = {{"code", code}, {"message", message}};
  if (!fields.empty()) e["fields"] = fields;
  return Json{{"error", e}};
}

http::Response ApiError::response() const {
  auto r = http::Response::json(status, body());
  for (const auto& [name, value] : headers) r.header(name, value);
  return r;
}

}  // namespace hub::cms
