// cms/org/org_tree.h
//
// The organisation tree (province, cities, counties, grassroots unions): table cms_orgs(id,
// parent_id, name, level, path) where path is the materialised ancestor path "/1/5/77/"
// (indexed), and an in-memory copy of it for access checks. Thread-safe: readers share a lock;
// reload() swaps in a fresh copy. Every write bumps the change topic "cms.orgs", and every
// node reloads on it (CmsService wires that).
//
// 141,000 organisations: never expand a subtree into an id list for SQL; filter by path prefix:
//   JOIN cms_orgs o ON o.id = t.org_id WHERE (o.path LIKE ? OR o.path LIKE ?)
// with the prefixes of Access::visiblePaths() (or Access::pathFilter(), which builds it).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sql/database.h"
#include "core/sql/migration.h"

namespace hub::cms::org {

inline constexpr const char* kTopic = "cms.orgs";

struct Org {
  std::int64_t id = 0;
  std::int64_t parentId = 0;  // 0: a top-level organisation
  std::string name;
  int level = 0;
  std::string path;  // "/1/5/77/": ancestors from the top, then itself
};

// Component "cms.org".
std::vector<sql::Migration> migrations();

class OrgTree {
 public:
  explicit OrgTree(sql::Database& db);

  // Reads the whole table (tens of thousands of rows: call it from a worker).
  Status reload();

  std::optional<Org> get(std::int64_t id) const;
  bool exists(std::int64_t id) const;
  // True when `org` is `ancestor` or lies below it. ancestor 0 (auth::kRootOrg) holds every
  // organisation; an unknown org is within nothing.
  bool isWithin(std::int64_t org, std::int64_t ancestor) const;
  // "/1/5/77/", "/" for 0, "" for an unknown id.
  std::string pathOf(std::int64_t id) const;
  std::vector<Org> children(std::int64_t id) const;  // ordered by id; 0: the top level
  std::size_t size() const;

  // Makes the cache hold `org` now (after the transaction that wrote it committed), before the
  // change feed gets round to it. Only for an org whose descendants' paths did not change.
  void put(const Org& org);
  void erase(std::int64_t id);

 private:
  sql::Database& db_;
  // Held through a whole reload (its read and its swap) and by put()/erase(): a reload that read
  // the table before a write committed can never swap in over that write's put().
  std::mutex writeMu_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::int64_t, Org> orgs_;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> children_;
};

}  // namespace hub::cms::org
