// cms/auth/actor.cpp
//
// Role names as the API and the database spell them.
#include "cms/auth/actor.h"

#include <array>
#include <utility>

namespace hub::cms::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kNames = {{
    {Role::Admin, "admin"},
    {Role::Editor, "editor"},
    {Role::Reviewer, "reviewer"},
    {Role::Host, "host"},
    {Role::Moderator, "moderator"},
}};

}  // namespace

std::string_view roleName(Role role) {
  for (const auto& [r, name] : kNames)
    if (r == role) return name;
  return "unknown";
}

std::optional<Role> roleFromName(std::string_view name) {
  for (const auto& [r, n] : kNames)
    if (n == name) return r;
  return std::nullopt;
}

bool Actor::hasRole(Role role) const {
  for (const auto& g : grants)
    if (g.role == role || g.role == Role::Admin) return true;
  return false;
}

}  // namespace hub::cms::auth
