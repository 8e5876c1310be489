// cms/auth/access.h
//
// The access rule of the CMS: a grant (role, org) covers that organisation's whole subtree, and
// Admin covers every role. Handlers ask can() for one object (by its org_id) and build list
// queries from visiblePaths()/pathFilter(), never from id lists.
//
// House rule for answers: an object outside every subtree the actor can see with any role is
// 404 (ids do not leak across organisations); an object the actor can see but may not change
// (wrong role) is 403.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cms/auth/actor.h"
#include "core/sql/value.h"

namespace hub::cms::org {
class OrgTree;
}

namespace hub::cms::auth {

class Access {
 public:
  explicit Access(const org::OrgTree& orgs) : orgs_(orgs) {}

  // True when some grant of the actor with one of `roles` (or Admin) is on orgId or above it.
  bool can(const Actor& actor, std::initializer_list<Role> roles, std::int64_t orgId) const;
  bool can(const Actor& actor, const std::vector<Role>& roles, std::int64_t orgId) const;
  // With any role at all: may the actor see that organisation's objects?
  bool canSee(const Actor& actor, std::int64_t orgId) const;
  // Admin on the whole tree (org 0).
  bool isSuperAdmin(const Actor& actor) const;

  // Path prefixes with "%" appended ("/1/5/%"), one per covering grant, nested ones dropped;
  // {"/%"} for a grant on the whole tree; empty when nothing is visible.
  std::vector<std::string> visiblePaths(const Actor& actor, std::initializer_list<Role> roles) const;
  std::vector<std::string> visiblePaths(const Actor& actor, const std::vector<Role>& roles) const;

  // "(o.path LIKE ? OR o.path LIKE ?)" with its parameters, for `column` (default "o.path");
  // "1 = 0" when nothing is visible. Append to a WHERE with AND.
  struct Filter {
    std::string sql;
    sql::Params params;
  };
  Filter pathFilter(const Actor& actor, std::initializer_list<Role> roles,
                    std::string_view column = "o.path") const;
  Filter pathFilter(const Actor& actor, const std::vector<Role>& roles,
                    std::string_view column = "o.path") const;

  // Every role, for "may see with any role".
  static const std::vector<Role>& anyRole();

 private:
  const org::OrgTree& orgs_;
};

}  // namespace hub::cms::auth
