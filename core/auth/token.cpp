// core/auth/token.cpp
//
// HMAC-SHA256 (libsodium) over the base64url claims; nlohmann::json for the claims themselves.
#include "core/auth/token.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

namespace hub::auth {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr std::size_t kMaxToken = 4096;

std::string toBase64(const unsigned char* data, std::size_t len) {
  std::string out(sodium_base64_encoded_len(len, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, kVariant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

bool fromBase64(std::string_view in, std::string& out) {
  out.assign(in.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(), in.size(),
                        nullptr, &len, nullptr, kVariant) != 0) {
    return false;
  }
  out.resize(len);
  return true;
}

void mac(std::string_view payload, std::string_view secret,
         unsigned char (&out)[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(payload.data()),
                                payload.size());
  crypto_auth_hmacsha256_final(&state, out);
}

Error invalid(std::string message) { return makeError("auth.invalid", std::move(message)); }

std::int64_t nowSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
}

}  // namespace

std::string_view roleName(Role role) {
  switch (role) {
    case Role::Guest:
      return "guest";
    case Role::User:
      return "user";
    case Role::Moderator:
      return "moderator";
    case Role::Admin:
      return "admin";
  }
  return "guest";
}

Result<Role> roleFromName(std::string_view name) {
  for (Role r : {Role::Guest, Role::User, Role::Moderator, Role::Admin}) {
    if (roleName(r) == name) return r;
  }
  return makeError("auth.bad_role", "role must be guest, user, moderator or admin");
}

std::string signToken(const TokenClaims& claims, std::string_view secret) {
  if (sodium_init() < 0) return {};
  nlohmann::json j = {{"uid", claims.userId},
                      {"name", claims.name},
                      {"role", std::string(roleName(claims.role))},
                      {"exp", claims.expires}};
  if (!claims.room.empty()) j["room"] = claims.room;
  const std::string body = j.dump();
  std::string payload = toBase64(reinterpret_cast<const unsigned char*>(body.data()), body.size());
  unsigned char sig[crypto_auth_hmacsha256_BYTES];
  mac(payload, secret, sig);
  return payload + "." + toBase64(sig, sizeof sig);
}

Result<TokenClaims> verifyToken(std::string_view token, std::string_view secret, const Clock& clock) {
  if (sodium_init() < 0) return invalid("crypto unavailable");
  if (token.empty() || token.size() > kMaxToken) return invalid("malformed token");
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return invalid("malformed token");
  const std::string_view payload = token.substr(0, dot);
  std::string sig;
  if (!fromBase64(token.substr(dot + 1), sig) || sig.size() != crypto_auth_hmacsha256_BYTES) {
    return invalid("malformed token");
  }
  unsigned char expected[crypto_auth_hmacsha256_BYTES];
  mac(payload, secret, expected);
  if (sodium_memcmp(expected, sig.data(), sizeof expected) != 0) return invalid("bad signature");

  std::string body;
  if (!fromBase64(payload, body)) return invalid("malformed token");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return invalid("bad claims");
  auto uid = j.find("uid");
  auto name = j.find("name");
  auto role = j.find("role");
  auto exp = j.find("exp");
  if (uid == j.end() || !uid->is_number_integer() || name == j.end() || !name->is_string() ||
      role == j.end() || !role->is_string() || exp == j.end() || !exp->is_number_integer()) {
    return invalid("bad claims");
  }
  auto r = roleFromName(role->get<std::string>());
  if (!r) return invalid("bad claims");
  auto room = j.find("room");
  if (room != j.end() && (!room->is_string() || room->get_ref<const std::string&>().empty()))
    return invalid("bad claims");
  TokenClaims claims;
  claims.userId = uid->get<std::int64_t>();
  claims.name = name->get<std::string>();
  claims.role = *r;
  claims.expires = exp->get<std::int64_t>();
  if (room != j.end()) claims.room = room->get<std::string>();
  if (claims.expires <= nowSeconds(clock)) return invalid("token expired");
  return claims;
}

Role roleInRoom(const TokenClaims& claims, std::string_view room) {
  if (claims.room.empty() || claims.room == room) return claims.role;
  return claims.role == Role::Guest ? Role::Guest : Role::User;
}

TokenClaims guestClaims(const Clock& clock, std::int64_t ttlSeconds) {
  if (sodium_init() < 0) std::abort();  // randombytes needs it; only fails without entropy
  std::uint32_t r = randombytes_uniform(0x7fffffff) + 1;
  TokenClaims c;
  c.userId = -static_cast<std::int64_t>(r);
  char name[32];
  std::snprintf(name, sizeof name, "guest-%04x", static_cast<unsigned>(r & 0xffff));
  c.name = name;
  c.role = Role::Guest;
  c.expires = nowSeconds(clock) + ttlSeconds;
  return c;
}

}  // namespace hub::auth
