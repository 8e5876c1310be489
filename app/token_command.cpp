// app/token_command.cpp
//
// Builds the claims from the command line and prints the signed token.
#include "app/token_command.h"

#include <charconv>
#include <cstdio>

#include "chat/protocol/command_decoder.h"
#include "core/auth/secret.h"
#include "core/auth/token.h"

namespace hub::app {
namespace {

bool parseInt(const std::string& v, std::int64_t& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

// A stable positive id for a name, so the same NAME gets the same id on every call.
std::int64_t idOf(const std::string& name) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
  return static_cast<std::int64_t>(h % 2000000000ULL) + 1;
}

}  // namespace

int runToken(const config::Config& config, const Invocation& inv) {
  std::int64_t ttl = 86400;
  std::string roleText = "user";
  std::int64_t id = 0;
  std::string room;
  for (const auto& [name, value] : inv.tokenOptions) {
    if (name == "ttl" && (!parseInt(value, ttl) || ttl <= 0)) {
      std::fprintf(stderr, "hub: --ttl needs a positive number of seconds\n");
      return kUsage;
    }
    if (name == "id" && (!parseInt(value, id) || id <= 0)) {
      std::fprintf(stderr, "hub: --id needs a positive number\n");
      return kUsage;
    }
    if (name == "role") roleText = value;
    if (name == "room") room = value;
  }
  if (!room.empty() && inv.args[0] != "user") {
    std::fprintf(stderr, "hub: --room binds a user token to a room; guests have no role to bind\n");
    return kUsage;
  }
  if (!room.empty() && !chat::protocol::validRoomName(room)) {
    std::fprintf(stderr,
                 "hub: --room needs a room name: 1-64 letters, digits, '.', '_' or '-', starting with a "
                 "letter or digit\n");
    return kUsage;
  }
  auto role = auth::roleFromName(roleText);
  if (!role || (inv.args[0] == "user" && *role == auth::Role::Guest)) {
    std::fprintf(stderr, "hub: --role must be user, moderator or admin\n");
    return kUsage;
  }
  auto secret = config.auth.secret.empty() ? auth::loadOrCreateSecret(config.data.dir)
                                           : Result<std::string>(config.auth.secret);
  if (!secret) {
    std::fprintf(stderr, "hub: %s\n", secret.error().message.c_str());
    return kRuntime;
  }
  const Clock& clock = SystemClock::instance();
  auth::TokenClaims claims;
  if (inv.args[0] == "guest") {
    claims = auth::guestClaims(clock, ttl);
  } else {
    claims.name = inv.args[1];
    claims.userId = id ? id : idOf(claims.name);
    claims.role = *role;
    claims.room = room;
    claims.expires =
        std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count() + ttl;
  }
  std::printf("%s\n", auth::signToken(claims, *secret).c_str());
  return kOk;
}

}  // namespace hub::app
