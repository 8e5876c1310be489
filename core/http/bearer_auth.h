// core/http/bearer_auth.h
//
// The admin API's guard: `Authorization: Bearer <token>` compared in constant time with the
// configured `[admin] token`. An empty configured token refuses everything, so a hub never
// serves its admin API open by accident. Every service's admin routes use this one check.
#pragma once

#include <optional>
#include <string>

#include "core/http/request.h"
#include "core/http/response.h"

namespace hub::http {

// nullopt when the request carries the token; otherwise the response to send: 401
// "auth.missing_token" / "auth.bad_token" (with WWW-Authenticate), or 403 "auth.admin_disabled".
std::optional<Response> checkBearer(const Request& request, const std::string& token);

}  // namespace hub::http
