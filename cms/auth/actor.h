// cms/auth/actor.h
//
// Who is making a CMS request: a user with role grants, each on an organisation (and so on its
// whole subtree). Built per request by the route layer from a session cookie or an API token.
// Org id 0 is the virtual root above every organisation: a grant on it covers the whole tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::cms::auth {

enum class Role { Admin, Editor, Reviewer, Host, Moderator };

// "admin", "editor", "reviewer", "host", "moderator".
std::string_view roleName(Role role);
std::optional<Role> roleFromName(std::string_view name);

// The organisation id that stands for the whole tree (grants of the first admin).
inline constexpr std::int64_t kRootOrg = 0;

struct Grant {
  Role role;
  std::int64_t orgId;
  bool operator==(const Grant&) const = default;
};

struct Actor {
  std::int64_t userId = 0;  // 0: nobody (Public routes)
  std::string username, displayName;
  std::vector<Grant> grants;
  bool viaApiToken = false;
  std::int64_t sessionId = 0;  // the session (or API token) id this request came with
  std::string peer;            // the client address, for the audit log and limits

  bool signedIn() const { return userId != 0; }
  // Has this role (or Admin) on some organisation; says nothing about which.
  bool hasRole(Role role) const;
};

}  // namespace hub::cms::auth
