// cms/org/org_store.cpp
//
// SQL writes of the organisation tree.
#include "cms/org/org_store.h"

#include <chrono>

#include "core/sql/change_feed.h"
#include "core/sql/errors.h"

namespace hub::cms::org {

Json toJson(const Org& o) {
  return Json{
      {"id", o.id}, {"parent_id", o.parentId}, {"name", o.name}, {"level", o.level}, {"path", o.path}};
}

std::int64_t OrgStore::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch()).count();
}

Result<std::optional<Org>> OrgStore::load(sql::Executor& tx, std::int64_t id) {
  auto rows = tx.query("SELECT id, parent_id, name, level, path FROM cms_orgs WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Org>();
  const auto& r = (*rows)[0];
  return std::optional<Org>(Org{r.getInt("id"), r.getInt("parent_id"), r.getString("name"),
                                static_cast<int>(r.getInt("level")), r.getString("path")});
}

Result<Org> OrgStore::create(sql::Executor& tx, std::optional<std::int64_t> id, std::int64_t parentId,
                             const std::string& name, int level) {
  if (name.empty() || name.size() > 200) return makeError("org.bad_name", "a name is 1 to 200 bytes");
  std::string parentPath = "/";
  if (parentId != 0) {
    auto parent = load(tx, parentId);
    if (!parent) return parent.error();
    if (!*parent) return makeError("org.no_parent", "no organisation " + std::to_string(parentId));
    parentPath = (*parent)->path;
  }
  Org o;
  if (id) {
    if (*id <= 0) return makeError("org.bad_id", "an organisation id is a positive number");
    o.id = *id;
  } else {
    auto rows = tx.query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM cms_orgs");
    if (!rows) return rows.error();
    o.id = (*rows)[0].getInt("next");
  }
  o.parentId = parentId;
  o.name = name;
  o.level = level;
  o.path = parentPath + std::to_string(o.id) + "/";
  if (o.path.size() > 400) return makeError("org.too_deep", "the tree is too deep here");
  auto r =
      tx.exec("INSERT INTO cms_orgs (id, parent_id, name, level, path, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
              {o.id, parentId == 0 ? sql::Value() : sql::Value(parentId), o.name, o.level, o.path, now()});
  if (!r) {
    if (r.error().code == sql::errc::kConstraint)
      return makeError("org.exists", "organisation " + std::to_string(o.id) + " exists");
    return r.error();
  }
  if (auto st = sql::bumpChange(tx, kTopic); !st) return st.error();
  return o;
}

Result<Org> OrgStore::rename(sql::Executor& tx, std::int64_t id, const std::string& name) {
  if (name.empty() || name.size() > 200) return makeError("org.bad_name", "a name is 1 to 200 bytes");
  auto o = load(tx, id);
  if (!o) return o.error();
  if (!*o) return makeError("org.not_found", "no organisation " + std::to_string(id));
  auto r = tx.exec("UPDATE cms_orgs SET name = ?, updated_at = ? WHERE id = ?", {name, now(), id});
  if (!r) return r.error();
  if (auto st = sql::bumpChange(tx, kTopic); !st) return st.error();
  (*o)->name = name;
  return **o;
}

Result<Org> OrgStore::move(sql::Executor& tx, std::int64_t id, std::int64_t newParent) {
  auto o = load(tx, id);
  if (!o) return o.error();
  if (!*o) return makeError("org.not_found", "no organisation " + std::to_string(id));
  std::string parentPath = "/";
  if (newParent != 0) {
    auto p = load(tx, newParent);
    if (!p) return p.error();
    if (!*p) return makeError("org.no_parent", "no organisation " + std::to_string(newParent));
    if ((*p)->path.rfind((*o)->path, 0) == 0)
      return makeError("org.cycle", "cannot move an organisation under itself or its descendants");
    parentPath = (*p)->path;
  }
  const std::string oldPath = (*o)->path;
  const std::string newPath = parentPath + std::to_string(id) + "/";
  if (auto r = tx.exec("UPDATE cms_orgs SET parent_id = ?, updated_at = ? WHERE id = ?",
                       {newParent == 0 ? sql::Value() : sql::Value(newParent), now(), id});
      !r)
    return r.error();
  // Every path in the subtree starts with oldPath: swap that prefix for newPath.
  const char* concat = tx.backend() == "mysql" ? "CONCAT(?, SUBSTRING(path, ?))" : "? || SUBSTR(path, ?)";
  auto r = tx.exec(std::string("UPDATE cms_orgs SET path = ") + concat + " WHERE path LIKE ?",
                   {newPath, static_cast<std::int64_t>(oldPath.size()) + 1, oldPath + "%"});
  if (!r) return r.error();
  if (auto st = sql::bumpChange(tx, kTopic); !st) return st.error();
  (*o)->parentId = newParent;
  (*o)->path = newPath;
  return **o;
}

Status OrgStore::remove(sql::Executor& tx, std::int64_t id) {
  auto kids = tx.query("SELECT COUNT(*) AS n FROM cms_orgs WHERE parent_id = ?", {id});
  if (!kids) return kids.error();
  if ((*kids)[0].getInt("n") > 0)
    return makeError("org.not_empty", "the organisation has child organisations");
  auto users = tx.query("SELECT COUNT(*) AS n FROM cms_users WHERE org_id = ?", {id});
  if (!users) return users.error();
  if ((*users)[0].getInt("n") > 0) return makeError("org.not_empty", "users belong to the organisation");
  auto grants = tx.query("SELECT COUNT(*) AS n FROM cms_grants WHERE org_id = ?", {id});
  if (!grants) return grants.error();
  if ((*grants)[0].getInt("n") > 0)
    return makeError("org.not_empty", "roles are granted on the organisation");
  auto r = tx.exec("DELETE FROM cms_orgs WHERE id = ?", {id});
  if (!r) return r.error();
  if (r->affected == 0) return makeError("org.not_found", "no organisation " + std::to_string(id));
  if (auto st = sql::bumpChange(tx, kTopic); !st) return st.error();
  return {};
}

}  // namespace hub::cms::org
