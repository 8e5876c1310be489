// cms/content/content_store.cpp
//
// SQL for items, tags, variants and revisions; both dialects (MEDIUMTEXT bodies on MySQL).
#include "cms/content/content_store.h"

#include "cms/content/sql_charset.h"
#include "core/sql/marks.h"

#include <map>

namespace hub::cms::content {
namespace {

constexpr const char* kItemColumns =
    "c.id, c.org_id, c.type, c.title, c.body_md, c.body_html, c.cover_media_id, c.state, c.revision,"
    " c.review_round, c.created_by, c.updated_by, c.created_at, c.updated_at";

std::optional<std::int64_t> optId(const sql::Row& r, std::string_view col) {
  if (r.isNull(col)) return std::nullopt;
  return r.getInt(col);
}

Item itemFromRow(const sql::Row& r) {
  Item i;
  i.id = r.getInt("id");
  i.orgId = r.getInt("org_id");
  i.type = r.getString("type");
  i.title = r.getString("title");
  i.body = r.getString("body_md");
  i.bodyHtml = r.getString("body_html");
  i.coverMediaId = optId(r, "cover_media_id");
  i.state = r.getString("state");
  i.revision = static_cast<int>(r.getInt("revision"));
  i.reviewRound = static_cast<int>(r.getInt("review_round"));
  i.createdBy = r.getInt("created_by");
  i.updatedBy = r.getInt("updated_by");
  i.createdAt = r.getInt("created_at");
  i.updatedAt = r.getInt("updated_at");
  return i;
}

std::vector<std::string> stringsFrom(const std::string& json) {
  Json j = Json::parse(json, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

std::vector<std::int64_t> idsFrom(const std::string& json) {
  Json j = Json::parse(json, nullptr, false);
  std::vector<std::int64_t> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_number_integer()) out.push_back(x.get<std::int64_t>());
  return out;
}

Status loadTags(sql::Executor& db, std::vector<Item>& items) {
  if (items.empty()) return {};
  sql::Params params;
  std::map<std::int64_t, Item*> byId;
  for (auto& i : items) {
    params.emplace_back(i.id);
    byId[i.id] = &i;
  }
  auto rows = db.query("SELECT content_id, tag FROM cms_content_tags WHERE content_id IN (" +
                           sql::marks(params.size()) + ") ORDER BY tag",
                       params);
  if (!rows) return rows.error().wrap("content tags");
  for (const auto& r : *rows) byId[r.getInt("content_id")]->tags.push_back(r.getString("tag"));
  return {};
}

}  // namespace

Json toJson(const Item& i) {
  return Json{{"id", i.id},
              {"org_id", i.orgId},
              {"type", i.type},
              {"title", i.title},
              {"body", i.body},
              {"body_html", i.bodyHtml},
              {"cover_media_id", i.coverMediaId ? Json(*i.coverMediaId) : Json(nullptr)},
              {"tags", i.tags},
              {"state", i.state},
              {"revision", i.revision},
              {"created_by", i.createdBy},
              {"updated_by", i.updatedBy},
              {"created_at", i.createdAt},
              {"updated_at", i.updatedAt}};
}

Json toJson(const Variant& v) {
  return Json{{"account_id", v.accountId},
              {"title", v.title},
              {"body", v.body},
              {"cover_media_id", v.coverMediaId ? Json(*v.coverMediaId) : Json(nullptr)},
              {"image_ids", v.imageIds},
              {"video_id", v.videoId ? Json(*v.videoId) : Json(nullptr)},
              {"updated_at", v.updatedAt}};
}

Json toJson(const Revision& r, bool withBody) {
  Json j{{"revision", r.revision},
         {"title", r.title},
         {"type", r.type},
         {"tags", r.tags},
         {"cover_media_id", r.coverMediaId ? Json(*r.coverMediaId) : Json(nullptr)},
         {"actor_id", r.actorId},
         {"actor_name", r.actorName},
         {"created_at", r.createdAt}};
  if (withBody) j["body"] = r.body;
  return j;
}

std::vector<sql::Migration> migrations() {
  auto script = [](const std::string& autoId, const std::string& bigText) {
    return "CREATE TABLE cms_content (id " + autoId +
           ", org_id BIGINT NOT NULL, type VARCHAR(32) NOT NULL, title VARCHAR(400) NOT NULL,"
           " body_md " +
           bigText + " NOT NULL, body_html " + bigText +
           " NOT NULL, cover_media_id BIGINT NULL, state VARCHAR(16) NOT NULL,"
           " revision INTEGER NOT NULL, review_round INTEGER NOT NULL, created_by BIGINT NOT NULL,"
           " updated_by BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
           "CREATE INDEX cms_content_org ON cms_content (org_id, id);"
           "CREATE INDEX cms_content_state ON cms_content (state, id);"
           "CREATE TABLE cms_content_tags (content_id BIGINT NOT NULL, tag VARCHAR(64) NOT NULL,"
           " PRIMARY KEY (content_id, tag));"
           "CREATE INDEX cms_content_tags_tag ON cms_content_tags (tag);"
           "CREATE TABLE cms_content_variants (content_id BIGINT NOT NULL, account_id BIGINT NOT NULL,"
           " title VARCHAR(400) NOT NULL, body " +
           bigText +
           " NOT NULL, cover_media_id BIGINT NULL, image_ids TEXT NOT NULL,"
           " video_id BIGINT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (content_id, account_id));"
           "CREATE INDEX cms_content_variants_account ON cms_content_variants (account_id);"
           "CREATE TABLE cms_content_revisions (content_id BIGINT NOT NULL, revision INTEGER NOT NULL,"
           " type VARCHAR(32) NOT NULL, title VARCHAR(400) NOT NULL, body_md " +
           bigText +
           " NOT NULL, cover_media_id BIGINT NULL, tags TEXT NOT NULL, actor_id BIGINT NOT NULL,"
           " actor_name VARCHAR(100) NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (content_id, "
           "revision));";
  };
  sql::Migration m;
  m.component = "cms.content";
  m.version = 1;
  m.name = "content items, tags, variants, revisions";
  m.sqlite = script("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT");
  m.mysql = content::withUtf8mb4(script("BIGINT AUTO_INCREMENT PRIMARY KEY", "MEDIUMTEXT"));
  return {m};
}

Result<std::optional<Item>> getItem(sql::Executor& db, std::int64_t id) {
  auto rows = db.query(std::string("SELECT ") + kItemColumns + " FROM cms_content c WHERE c.id = ?", {id});
  if (!rows) return rows.error().wrap("content");
  if (rows->empty()) return std::optional<Item>();
  std::vector<Item> items{itemFromRow((*rows)[0])};
  if (auto st = loadTags(db, items); !st) return st.error();
  return std::optional<Item>(std::move(items[0]));
}

static Status writeTags(sql::Executor& tx, const Item& i) {
  if (auto r = tx.exec("DELETE FROM cms_content_tags WHERE content_id = ?", {i.id}); !r) return r.error();
  for (const auto& t : i.tags)
    if (auto r = tx.exec("INSERT INTO cms_content_tags (content_id, tag) VALUES (?, ?)", {i.id, t}); !r)
      return r.error();
  return {};
}

Result<std::int64_t> insertItem(sql::Executor& tx, const Item& i) {
  auto r = tx.insert(
      "INSERT INTO cms_content (org_id, type, title, body_md, body_html, cover_media_id, state, revision,"
      " review_round, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, "
      "?, ?, ?)",
      {i.orgId, i.type, i.title, i.body, i.bodyHtml, i.coverMediaId, i.state, i.revision, i.createdBy,
       i.updatedBy, i.createdAt, i.updatedAt});
  if (!r) return r.error().wrap("insert content");
  Item withId = i;
  withId.id = r->lastInsertId;
  if (auto st = writeTags(tx, withId); !st) return st.error().wrap("content tags");
  return withId.id;
}

Status updateItem(sql::Executor& tx, const Item& i) {
  auto r = tx.exec(
      "UPDATE cms_content SET org_id = ?, type = ?, title = ?, body_md = ?, body_html = ?, cover_media_id = "
      "?,"
      " revision = ?, updated_by = ?, updated_at = ? WHERE id = ?",
      {i.orgId, i.type, i.title, i.body, i.bodyHtml, i.coverMediaId, i.revision, i.updatedBy, i.updatedAt,
       i.id});
  if (!r) return r.error().wrap("update content");
  if (auto st = writeTags(tx, i); !st) return st.error().wrap("content tags");
  return {};
}

Status deleteItem(sql::Executor& tx, std::int64_t id) {
  for (const char* sql :
       {"DELETE FROM cms_content_tags WHERE content_id = ?",
        "DELETE FROM cms_content_variants WHERE content_id = ?",
        "DELETE FROM cms_content_revisions WHERE content_id = ?", "DELETE FROM cms_content WHERE id = ?"})
    if (auto r = tx.exec(sql, {id}); !r) return r.error().wrap("delete content");
  return {};
}

Result<std::vector<Item>> listItems(sql::Executor& db, const ItemQuery& q) {
  std::string sql = std::string("SELECT ") + kItemColumns +
                    " FROM cms_content c JOIN cms_orgs o ON o.id = c.org_id WHERE " +
                    (q.pathSql.empty() ? std::string("1 = 1") : q.pathSql);
  sql::Params params = q.pathParams;
  if (!q.state.empty()) {
    sql += " AND c.state = ?";
    params.emplace_back(q.state);
  }
  if (!q.type.empty()) {
    sql += " AND c.type = ?";
    params.emplace_back(q.type);
  }
  if (!q.tag.empty()) {
    sql += " AND c.id IN (SELECT content_id FROM cms_content_tags WHERE tag = ?)";
    params.emplace_back(q.tag);
  }
  if (q.orgId) {
    sql += " AND c.org_id = ?";
    params.emplace_back(*q.orgId);
  }
  if (q.beforeId > 0) {
    sql += " AND c.id < ?";
    params.emplace_back(q.beforeId);
  }
  sql += " ORDER BY c.id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  auto rows = db.query(sql, params);
  if (!rows) return rows.error().wrap("content list");
  std::vector<Item> out;
  for (const auto& r : *rows) out.push_back(itemFromRow(r));
  if (auto st = loadTags(db, out); !st) return st.error();
  return out;
}

Revision revisionOf(const Item& i, const auth::Actor& actor, std::int64_t now) {
  Revision r;
  r.contentId = i.id;
  r.revision = i.revision;
  r.title = i.title;
  r.body = i.body;
  r.type = i.type;
  r.coverMediaId = i.coverMediaId;
  r.tags = i.tags;
  r.actorId = actor.userId;
  r.actorName = actor.username;
  r.createdAt = now;
  return r;
}

Status insertRevision(sql::Executor& tx, const Revision& r) {
  auto res = tx.exec(
      "INSERT INTO cms_content_revisions (content_id, revision, type, title, body_md, cover_media_id, tags, "
      "actor_id,"
      " actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.contentId, r.revision, r.type, r.title, r.body, r.coverMediaId, Json(r.tags).dump(), r.actorId,
       r.actorName, r.createdAt});
  if (!res) return res.error().wrap("content revision");
  return {};
}

static Revision revisionFromRow(const sql::Row& row) {
  Revision r;
  r.contentId = row.getInt("content_id");
  r.revision = static_cast<int>(row.getInt("revision"));
  r.type = row.getString("type");
  r.title = row.getString("title");
  r.body = row.getString("body_md");
  r.coverMediaId = optId(row, "cover_media_id");
  r.tags = stringsFrom(row.getString("tags"));
  r.actorId = row.getInt("actor_id");
  r.actorName = row.getString("actor_name");
  r.createdAt = row.getInt("created_at");
  return r;
}

Result<std::vector<Revision>> listRevisions(sql::Executor& db, std::int64_t contentId) {
  auto rows = db.query(
      "SELECT content_id, revision, type, title, '' AS body_md, cover_media_id, tags, actor_id, actor_name,"
      " created_at FROM cms_content_revisions WHERE content_id = ? ORDER BY revision",
      {contentId});
  if (!rows) return rows.error().wrap("content revisions");
  std::vector<Revision> out;
  for (const auto& r : *rows) out.push_back(revisionFromRow(r));
  return out;
}

Result<std::optional<Revision>> getRevision(sql::Executor& db, std::int64_t contentId, int revision) {
  auto rows = db.query(
      "SELECT content_id, revision, type, title, body_md, cover_media_id, tags, actor_id, actor_name, "
      "created_at"
      " FROM cms_content_revisions WHERE content_id = ? AND revision = ?",
      {contentId, revision});
  if (!rows) return rows.error().wrap("content revision");
  if (rows->empty()) return std::optional<Revision>();
  return std::optional<Revision>(revisionFromRow((*rows)[0]));
}

Result<std::vector<std::int64_t>> authors(sql::Executor& db, std::int64_t contentId) {
  auto rows =
      db.query("SELECT DISTINCT actor_id FROM cms_content_revisions WHERE content_id = ?", {contentId});
  if (!rows) return rows.error().wrap("content authors");
  std::vector<std::int64_t> out;
  for (const auto& r : *rows) out.push_back(r.getInt("actor_id"));
  return out;
}

static Variant variantFromRow(const sql::Row& r) {
  Variant v;
  v.accountId = r.getInt("account_id");
  v.title = r.getString("title");
  v.body = r.getString("body");
  v.coverMediaId = optId(r, "cover_media_id");
  v.imageIds = idsFrom(r.getString("image_ids"));
  v.videoId = optId(r, "video_id");
  v.updatedAt = r.getInt("updated_at");
  return v;
}

Result<std::vector<Variant>> listVariants(sql::Executor& db, std::int64_t contentId) {
  auto rows = db.query(
      "SELECT account_id, title, body, cover_media_id, image_ids, video_id, updated_at FROM "
      "cms_content_variants"
      " WHERE content_id = ? ORDER BY account_id",
      {contentId});
  if (!rows) return rows.error().wrap("content variants");
  std::vector<Variant> out;
  for (const auto& r : *rows) out.push_back(variantFromRow(r));
  return out;
}

Result<std::map<std::int64_t, std::vector<Variant>>> listVariantsOf(
    sql::Executor& db, const std::vector<std::int64_t>& contentIds) {
  std::map<std::int64_t, std::vector<Variant>> out;
  if (contentIds.empty()) return out;
  sql::Params p(contentIds.begin(), contentIds.end());
  auto rows = db.query(
      "SELECT content_id, account_id, title, body, cover_media_id, image_ids, video_id, updated_at FROM "
      "cms_content_variants WHERE content_id IN (" +
          sql::marks(p.size()) + ") ORDER BY content_id, account_id",
      p);
  if (!rows) return rows.error().wrap("content variants");
  for (const auto& r : *rows) out[r.getInt("content_id")].push_back(variantFromRow(r));
  return out;
}

Status upsertVariant(sql::Executor& tx, std::int64_t contentId, const Variant& v) {
  auto del = tx.exec("DELETE FROM cms_content_variants WHERE content_id = ? AND account_id = ?",
                     {contentId, v.accountId});
  if (!del) return del.error().wrap("content variant");
  auto r = tx.exec(
      "INSERT INTO cms_content_variants (content_id, account_id, title, body, cover_media_id, image_ids, "
      "video_id,"
      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {contentId, v.accountId, v.title, v.body, v.coverMediaId, Json(v.imageIds).dump(), v.videoId,
       v.updatedAt});
  if (!r) return r.error().wrap("content variant");
  return {};
}

Result<bool> deleteVariant(sql::Executor& tx, std::int64_t contentId, std::int64_t accountId) {
  auto r = tx.exec("DELETE FROM cms_content_variants WHERE content_id = ? AND account_id = ?",
                   {contentId, accountId});
  if (!r) return r.error().wrap("content variant");
  return r->affected > 0;
}

}  // namespace hub::cms::content
