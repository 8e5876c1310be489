// cms/media_library/media_store.cpp
//
// SQL for the media library; both dialects.
#include "cms/media_library/media_store.h"

#include "cms/content/sql_charset.h"

namespace hub::cms::media_library {
namespace {

constexpr const char* kColumns =
    "m.id, m.org_id, m.name, m.size, m.received, m.mime, m.kind, m.state, m.created_by, m.created_at, "
    "m.updated_at";

MediaItem fromRow(const sql::Row& r) {
  MediaItem m;
  m.id = r.getInt("id");
  m.orgId = r.getInt("org_id");
  m.name = r.getString("name");
  m.size = r.getInt("size");
  m.received = r.getInt("received");
  m.mime = r.getString("mime");
  m.kind = r.getString("kind");
  m.state = r.getString("state");
  m.createdBy = r.getInt("created_by");
  m.createdAt = r.getInt("created_at");
  m.updatedAt = r.getInt("updated_at");
  return m;
}

}  // namespace

Json toJson(const MediaItem& m) {
  return Json{{"id", m.id},
              {"org_id", m.orgId},
              {"name", m.name},
              {"size", m.size},
              {"received", m.received},
              {"progress", m.size > 0 ? static_cast<double>(m.received) / static_cast<double>(m.size) : 1.0},
              {"mime", m.mime},
              {"kind", m.kind},
              {"state", m.state},
              {"created_by", m.createdBy},
              {"created_at", m.createdAt},
              {"updated_at", m.updatedAt}};
}

std::vector<sql::Migration> migrations() {
  const std::string body =
      " org_id BIGINT NOT NULL, name VARCHAR(255) NOT NULL, size BIGINT NOT NULL, received BIGINT NOT NULL,"
      " mime VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, state VARCHAR(16) NOT NULL,"
      " created_by BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
      "CREATE INDEX cms_media_org ON cms_media (org_id, id);";
  sql::Migration m;
  m.component = "cms.media";
  m.version = 1;
  m.name = "media library";
  m.sqlite = "CREATE TABLE cms_media (id INTEGER PRIMARY KEY AUTOINCREMENT," + body;
  m.mysql = content::withUtf8mb4("CREATE TABLE cms_media (id BIGINT AUTO_INCREMENT PRIMARY KEY," + body);
  return {m};
}

Result<std::optional<MediaItem>> getMedia(sql::Executor& db, std::int64_t id) {
  auto rows = db.query(std::string("SELECT ") + kColumns + " FROM cms_media m WHERE m.id = ?", {id});
  if (!rows) return rows.error().wrap("media");
  if (rows->empty()) return std::optional<MediaItem>();
  return std::optional<MediaItem>(fromRow((*rows)[0]));
}

Result<std::int64_t> insertMedia(sql::Executor& tx, const MediaItem& m) {
  auto r = tx.insert(
      "INSERT INTO cms_media (org_id, name, size, received, mime, kind, state, created_by, created_at, "
      "updated_at)"
      " VALUES (?, ?, ?, 0, '', '', 'uploading', ?, ?, ?)",
      {m.orgId, m.name, m.size, m.createdBy, m.createdAt, m.createdAt});
  if (!r) return r.error().wrap("insert media");
  return r->lastInsertId;
}

Result<bool> advanceMedia(sql::Executor& tx, std::int64_t id, std::int64_t expectedReceived,
                          std::int64_t newReceived, const std::string& mime, const std::string& kind,
                          std::int64_t now) {
  auto r = tx.exec(
      "UPDATE cms_media SET received = ?, mime = ?, kind = ?, updated_at = ? WHERE id = ? AND received = ? "
      "AND"
      " state = 'uploading'",
      {newReceived, mime, kind, now, id, expectedReceived});
  if (!r) return r.error().wrap("media progress");
  return r->affected == 1;
}

Status completeMedia(sql::Executor& tx, std::int64_t id, std::int64_t now) {
  auto r = tx.exec("UPDATE cms_media SET state = 'complete', updated_at = ? WHERE id = ?", {now, id});
  if (!r) return r.error().wrap("media complete");
  return {};
}

Status deleteMedia(sql::Executor& tx, std::int64_t id) {
  auto r = tx.exec("DELETE FROM cms_media WHERE id = ?", {id});
  if (!r) return r.error().wrap("media delete");
  return {};
}

Result<std::vector<MediaItem>> listMedia(sql::Executor& db, const std::string& pathSql,
                                         const sql::Params& pathParams, const std::string& kind,
                                         std::int64_t beforeId, int limit) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM cms_media m JOIN cms_orgs o ON o.id = m.org_id WHERE " + pathSql +
                    " AND m.state = 'complete'";
  sql::Params params = pathParams;
  if (!kind.empty()) {
    sql += " AND m.kind = ?";
    params.emplace_back(kind);
  }
  if (beforeId > 0) {
    sql += " AND m.id < ?";
    params.emplace_back(beforeId);
  }
  sql += " ORDER BY m.id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  auto rows = db.query(sql, params);
  if (!rows) return rows.error().wrap("media list");
  std::vector<MediaItem> out;
  for (const auto& r : *rows) out.push_back(fromRow(r));
  return out;
}

}  // namespace hub::cms::media_library
