// cms/org/org_store.h
//
// Writes to the organisation tree (create, rename, move, delete; the CSV import is in
// org_import.h). Each runs inside the caller's transaction, bumps the change topic "cms.orgs"
// there, and returns what changed so the caller can audit it and update the OrgTree cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cms/api/json.h"
#include "cms/org/org_tree.h"
#include "core/sql/executor.h"
#include "core/util/clock.h"

namespace hub::cms::org {

Json toJson(const Org& org);

class OrgStore {
 public:
  OrgStore(OrgTree& tree, const Clock& clock) : tree_(tree), clock_(clock) {}

  // id nullopt: one above the largest. parentId 0: top level. Errors: "org.exists",
  // "org.no_parent", "org.bad_name" (1..200 bytes).
  Result<Org> create(sql::Executor& tx, std::optional<std::int64_t> id, std::int64_t parentId,
                     const std::string& name, int level);
  Result<Org> rename(sql::Executor& tx, std::int64_t id, const std::string& name);
  // Re-parents id under newParent (0: top level) and rewrites the paths of its whole subtree in
  // one statement. Errors: "org.cycle" (newParent inside id's subtree), "org.no_parent".
  Result<Org> move(sql::Executor& tx, std::int64_t id, std::int64_t newParent);
  // Errors: "org.not_empty" (children, users or objects refer to it).
  Status remove(sql::Executor& tx, std::int64_t id);

 private:
  std::int64_t now() const;
  Result<std::optional<Org>> load(sql::Executor& tx, std::int64_t id);

  OrgTree& tree_;
  const Clock& clock_;
};

}  // namespace hub::cms::org
