// cms/auth/auth_routes.h
//
// Sign-in and self-service routes: /api/v1/auth/login, logout, me, sessions, tokens, the chat
// member token (/api/v1/chat/member-token), and the admins' /api/v1/users routes.
#pragma once

#include "cms/api/cms_context.h"
#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "core/auth/token.h"

namespace hub::cms::auth {

void addRoutes(CmsContext& ctx);
// /api/v1/users (cms/auth/users_routes.cpp).
void addUserRoutes(CmsContext& ctx);

// A signed chat token for `actor` with `role` ([cms] member_token_ttl_seconds): the answer of
// the member-token routes, {"token", "user": {"id", "name", "role"}, "expires"}. A non-empty
// `room` binds the token to that room (TokenClaims::room): its role holds there only.
Json chatTokenJson(const CmsContext& ctx, const Actor& actor, hub::auth::Role role,
                   const std::string& room = "");

}  // namespace hub::cms::auth
