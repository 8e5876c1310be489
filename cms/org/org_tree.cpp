// cms/org/org_tree.cpp
//
// The cms_orgs schema and the cached tree.
#include "cms/org/org_tree.h"

#include <algorithm>
#include <mutex>

namespace hub::cms::org {

std::vector<sql::Migration> migrations() {
  sql::Migration m;
  m.component = "cms.org";
  m.version = 1;
  m.name = "organisation tree";
  // SQLite uses an index for `path LIKE 'prefix%'` only with a NOCASE column (LIKE is
  // case-insensitive there); paths are digits and slashes, so nothing is lost.
  m.sqlite =
      "CREATE TABLE cms_orgs (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT NULL,"
      " name VARCHAR(200) NOT NULL, level INTEGER NOT NULL, path VARCHAR(400) NOT NULL COLLATE NOCASE,"
      " updated_at BIGINT NOT NULL);"
      "CREATE INDEX cms_orgs_path ON cms_orgs (path);"
      "CREATE INDEX cms_orgs_parent ON cms_orgs (parent_id);";
  m.mysql =
      "CREATE TABLE cms_orgs (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT NULL,"
      " name VARCHAR(200) NOT NULL, level INTEGER NOT NULL,"
      " path VARCHAR(400) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
      " updated_at BIGINT NOT NULL) DEFAULT CHARSET=utf8mb4;"
      "CREATE INDEX cms_orgs_path ON cms_orgs (path);"
      "CREATE INDEX cms_orgs_parent ON cms_orgs (parent_id);";
  return {m};
}

OrgTree::OrgTree(sql::Database& db) : db_(db) {}

Status OrgTree::reload() {
  std::lock_guard write(writeMu_);
  auto rows = db_.query("SELECT id, parent_id, name, level, path FROM cms_orgs");
  if (!rows) return rows.error().wrap("cms orgs");
  std::unordered_map<std::int64_t, Org> fresh;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> kids;
  fresh.reserve(rows->size());
  for (const auto& row : *rows) {
    Org o;
    o.id = row.getInt("id");
    o.parentId = row.getInt("parent_id");
    o.name = row.getString("name");
    o.level = static_cast<int>(row.getInt("level"));
    o.path = row.getString("path");
    kids[o.parentId].push_back(o.id);
    fresh.emplace(o.id, std::move(o));
  }
  for (auto& [id, list] : kids) std::sort(list.begin(), list.end());
  std::unique_lock lock(mu_);
  orgs_ = std::move(fresh);
  children_ = std::move(kids);
  return {};
}

std::optional<Org> OrgTree::get(std::int64_t id) const {
  std::shared_lock lock(mu_);
  auto it = orgs_.find(id);
  if (it == orgs_.end()) return std::nullopt;
  return it->second;
}

bool OrgTree::exists(std::int64_t id) const {
  std::shared_lock lock(mu_);
  return orgs_.count(id) > 0;
}

bool OrgTree::isWithin(std::int64_t org, std::int64_t ancestor) const {
  std::shared_lock lock(mu_);
  if (ancestor == 0) return org == 0 || orgs_.count(org) > 0;
  auto o = orgs_.find(org);
  auto a = orgs_.find(ancestor);
  if (o == orgs_.end() || a == orgs_.end()) return false;
  return o->second.path.compare(0, a->second.path.size(), a->second.path) == 0;
}

std::string OrgTree::pathOf(std::int64_t id) const {
  if (id == 0) return "/";
  std::shared_lock lock(mu_);
  auto it = orgs_.find(id);
  return it == orgs_.end() ? std::string() : it->second.path;
}

std::vector<Org> OrgTree::children(std::int64_t id) const {
  std::shared_lock lock(mu_);
  std::vector<Org> out;
  auto it = children_.find(id);
  if (it == children_.end()) return out;
  out.reserve(it->second.size());
  for (auto child : it->second) {
    auto o = orgs_.find(child);
    if (o != orgs_.end()) out.push_back(o->second);
  }
  return out;
}

std::size_t OrgTree::size() const {
  std::shared_lock lock(mu_);
  return orgs_.size();
}

void OrgTree::put(const Org& org) {
  std::lock_guard write(writeMu_);
  std::unique_lock lock(mu_);
  auto old = orgs_.find(org.id);
  if (old != orgs_.end() && old->second.parentId != org.parentId) {
    auto& siblings = children_[old->second.parentId];
    siblings.erase(std::remove(siblings.begin(), siblings.end(), org.id), siblings.end());
  }
  if (old == orgs_.end() || old->second.parentId != org.parentId) {
    auto& siblings = children_[org.parentId];
    siblings.insert(std::lower_bound(siblings.begin(), siblings.end(), org.id), org.id);
  }
  orgs_[org.id] = org;
}

void OrgTree::erase(std::int64_t id) {
  std::lock_guard write(writeMu_);
  std::unique_lock lock(mu_);
  auto it = orgs_.find(id);
  if (it == orgs_.end()) return;
  auto& siblings = children_[it->second.parentId];
  siblings.erase(std::remove(siblings.begin(), siblings.end(), id), siblings.end());
  orgs_.erase(it);
}

}  // namespace hub::cms::org
