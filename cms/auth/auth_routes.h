// cms/auth/auth_routes.h
//
// Sign-in and self-service routes: /api/v1/auth/login, logout, me, sessions, tokens, the chat
// member token (/api/v1/chat/member-token), and the admins' /api/v1/users routes.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::auth {

void addRoutes(CmsContext& ctx);
// /api/v1/users (cms/auth/users_routes.cpp).
void addUserRoutes(CmsContext& ctx);

}  // namespace hub::cms::auth
