// core/http/request.h
//
// One HTTP request as a handler sees it: a plain value, copied out of libwebsockets before the
// handler runs, so an asynchronous handler may keep it after the connection is gone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::http {

enum class Method { Get, Head, Post, Put, Patch, Delete, Options, Other };

std::string_view methodName(Method m);
// "GET" -> Method::Get; anything unknown -> Method::Other.
Method methodFromName(std::string_view name);

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::Get;
  std::string path;  // url-decoded, normalised by lws ("/a/../b" arrives as "/b")
  Fields query;      // url-decoded name/value pairs, in order
  Fields headers;    // lower-case names without the colon
  Fields params;     // route parameters (":name" segments)
  std::string body;
  std::string peer;  // client address, for logs and limits

  // Empty when absent; the first one when repeated.
  std::string_view header(std::string_view lowerName) const;
  std::optional<std::string_view> queryParam(std::string_view name) const;
  std::string_view param(std::string_view name) const;
};

}  // namespace hub::http
