// core/http/response.h
//
// What a handler answers: status, headers and a body. The body is an owned string, a slice of a
// shared buffer (cached static files, one segment served to many viewers without copies) or an
// open file streamed in pieces. The server adds Content-Length, and drops the body for HEAD.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>  // callers of json() build values; give them the full type

namespace hub::http {

// An open file descriptor, closed when the last response using it is gone.
class FileBody {
 public:
  explicit FileBody(int fd) : fd_(fd) {}
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length
  std::string body;
  // When set, the body is shared->substr(offset, length) instead of `body`.
  std::shared_ptr<const std::string> shared;
  // When set, the body is `length` bytes of this file from `offset`.
  std::shared_ptr<FileBody> file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  // Content-Length to announce when it is not the body's size (HEAD, 304).
  bool omitContentLength = false;

  Response() = default;
  Response(int s, std::string b, std::string_view contentType);

  Response& header(std::string name, std::string value);
  std::string_view headerValue(std::string_view name) const;  // case-insensitive
  std::uint64_t bodySize() const;

  static Response json(int status, const nlohmann::json& value);
  // {"error":{"code":"...","message":"..."}}
  static Response error(int status, std::string_view code, std::string_view message);
  static Response text(int status, std::string body,
                       std::string_view contentType = "text/plain; charset=utf-8");
  static Response noContent(int status = 204);
};

}  // namespace hub::http
