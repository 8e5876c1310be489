// core/auth/token.h
//
// Signed identity tokens: what a browser shows the chat (first WebSocket frame) and what the CMS
// will hand its members. Compact text: base64url(json claims) "." base64url(HMAC-SHA256(secret,
// first part)), no padding, so it fits in a JSON string or a URL unescaped. The claims are
// {"uid":N,"name":S,"role":S,"exp":UNIX_SECONDS} and, for a token bound to one chat room,
// "room":S (signed like the rest; absent when unbound). Verification compares the MAC in constant time
// before it parses anything, then checks the expiry against the injected clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::auth {

enum class Role { Guest, User, Moderator, Admin };

std::string_view roleName(Role role);              // "guest", "user", ...
Result<Role> roleFromName(std::string_view name);  // error "auth.bad_role"

struct TokenClaims {
  std::int64_t userId = 0;  // guests get a random negative id, stable for the token's life
  std::string name;
  Role role = Role::Guest;
  std::int64_t expires = 0;  // seconds since the Unix epoch (UTC)
  // Empty: the role holds in every room (hub token CLI, admin tokens). Otherwise the role holds
  // in this room only; elsewhere the holder is at most a User (roleInRoom).
  std::string room;
};

// The role `claims` give in `room`: claims.role when the token is unbound or bound to `room`;
// otherwise the lesser of claims.role and User (a room-bound moderator is a plain user elsewhere).
Role roleInRoom(const TokenClaims& claims, std::string_view room);

// Signs `claims` with `secret` (any length; the configured or generated auth secret).
std::string signToken(const TokenClaims& claims, std::string_view secret);

// Errors (all "auth.invalid", the message says which): malformed, bad signature, bad claims,
// expired. Never logs or returns the token itself.
Result<TokenClaims> verifyToken(std::string_view token, std::string_view secret, const Clock& clock);

// A guest token: random negative id, name "guest-XXXX", expiring after `ttlSeconds`.
TokenClaims guestClaims(const Clock& clock, std::int64_t ttlSeconds);

}  // namespace hub::auth
