// core/http/bearer_auth.cpp
#include "core/http/bearer_auth.h"

namespace hub::http {
namespace {

bool sameInConstantTime(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (b.empty() ? 0 : b[i % b.size()]));
  return diff == 0;
}

}  // namespace

std::optional<Response> checkBearer(const Request& request, const std::string& token) {
  if (token.empty())
    return Response::error(403, "auth.admin_disabled", "the admin API is disabled: set [admin] token");
  std::string_view header = request.header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || header.substr(0, kScheme.size()) != kScheme)
    return Response::error(401, "auth.missing_token", "send Authorization: Bearer <admin token>")
        .header("WWW-Authenticate", "Bearer");
  if (!sameInConstantTime(header.substr(kScheme.size()), token))
    return Response::error(401, "auth.bad_token", "wrong admin token").header("WWW-Authenticate", "Bearer");
  return std::nullopt;
}

}  // namespace hub::http
