// core/http/response.cpp
//
// Constructors for the common answers; JSON bodies are dumped once here.
#include "core/http/response.h"

#include <strings.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace hub::http {

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

Response::Response(int s, std::string b, std::string_view contentType) : status(s), body(std::move(b)) {
  headers.emplace_back("content-type", std::string(contentType));
}

Response& Response::header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string_view Response::headerValue(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

std::uint64_t Response::bodySize() const {
  if (shared || file) return length;
  return body.size();
}

Response Response::json(int status, const nlohmann::json& value) {
  // Replace invalid UTF-8 instead of throwing: this runs inside lws callbacks.
  return Response(status, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  nlohmann::json j;
  j["error"] = {{"code", code}, {"message", message}};
  return json(status, j);
}

Response Response::text(int status, std::string body, std::string_view contentType) {
  return Response(status, std::move(body), contentType);
}

Response Response::noContent(int status) {
  Response r;
  r.status = status;
  return r;
}

}  // namespace hub::http
