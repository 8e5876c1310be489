// core/http/request.cpp
//
// Lookups over the small vectors a request carries: linear scans beat maps at these sizes.
#include "core/http/request.h"

#include <array>

namespace hub::http {

namespace {
constexpr std::array<std::string_view, 8> kNames{"GET",   "HEAD",   "POST",    "PUT",
                                                 "PATCH", "DELETE", "OPTIONS", "OTHER"};

const std::string* find(const Fields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return &v;
  return nullptr;
}
}  // namespace

std::string_view methodName(Method m) { return kNames[static_cast<std::size_t>(m)]; }

Method methodFromName(std::string_view name) {
  for (std::size_t i = 0; i + 1 < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Method>(i);
  return Method::Other;
}

std::string_view Request::header(std::string_view lowerName) const {
  const auto* v = find(headers, lowerName);
  return v ? std::string_view(*v) : std::string_view();
}

std::optional<std::string_view> Request::queryParam(std::string_view name) const {
  const auto* v = find(query, name);
  if (!v) return std::nullopt;
  return std::string_view(*v);
}

std::string_view Request::param(std::string_view name) const {
  const auto* v = find(params, name);
  return v ? std::string_view(*v) : std::string_view();
}

}  // namespace hub::http
