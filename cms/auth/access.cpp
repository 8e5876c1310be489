// cms/auth/access.cpp
//
// Grants against the organisation tree.
#include "cms/auth/access.h"

#include <algorithm>

#include "cms/org/org_tree.h"

namespace hub::cms::auth {
namespace {

bool covers(const Grant& g, const std::vector<Role>& roles) {
  return g.role == Role::Admin || std::find(roles.begin(), roles.end(), g.role) != roles.end();
}

}  // namespace

const std::vector<Role>& Access::anyRole() {
  static const std::vector<Role> all = {Role::Admin, Role::Editor, Role::Reviewer, Role::Host,
                                        Role::Moderator};
  return all;
}

bool Access::can(const Actor& actor, std::initializer_list<Role> roles, std::int64_t orgId) const {
  return can(actor, std::vector<Role>(roles), orgId);
}

bool Access::can(const Actor& actor, const std::vector<Role>& roles, std::int64_t orgId) const {
  for (const auto& g : actor.grants)
    if (covers(g, roles) && orgs_.isWithin(orgId, g.orgId)) return true;
  return false;
}

bool Access::canSee(const Actor& actor, std::int64_t orgId) const { return can(actor, anyRole(), orgId); }

bool Access::isSuperAdmin(const Actor& actor) const {
  for (const auto& g : actor.grants)
    if (g.role == Role::Admin && g.orgId == kRootOrg) return true;
  return false;
}

std::vector<std::string> Access::visiblePaths(const Actor& actor, std::initializer_list<Role> roles) const {
  return visiblePaths(actor, std::vector<Role>(roles));
}

std::vector<std::string> Access::visiblePaths(const Actor& actor, const std::vector<Role>& roles) const {
  std::vector<std::string> paths;
  for (const auto& g : actor.grants) {
    if (!covers(g, roles)) continue;
    std::string p = orgs_.pathOf(g.orgId);
    if (!p.empty()) paths.push_back(std::move(p));
  }
  // Shortest first, then drop any path under one already kept.
  std::sort(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::vector<std::string> kept;
  for (auto& p : paths) {
    bool nested =
        std::any_of(kept.begin(), kept.end(), [&](const std::string& k) { return p.rfind(k, 0) == 0; });
    if (!nested) kept.push_back(std::move(p));
  }
  for (auto& k : kept) k += "%";
  return kept;
}

Access::Filter Access::pathFilter(const Actor& actor, std::initializer_list<Role> roles,
                                  std::string_view column) const {
  return pathFilter(actor, std::vector<Role>(roles), column);
}

Access::Filter Access::pathFilter(const Actor& actor, const std::vector<Role>& roles,
                                  std::string_view column) const {
  Filter f;
  auto paths = visiblePaths(actor, roles);
  if (paths.empty()) {
    f.sql = "1 = 0";
    return f;
  }
  f.sql = "(";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i) f.sql += " OR ";
    f.sql += std::string(column) + " LIKE ?";
    f.params.emplace_back(paths[i]);
  }
  f.sql += ")";
  return f;
}

}  // namespace hub::cms::auth
