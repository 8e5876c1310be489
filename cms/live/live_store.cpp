// cms/live/live_store.cpp
#include "cms/live/live_store.h"

#include <algorithm>

#include "cms/api/time.h"
#include "cms/content/content_store.h"
#include "cms/content/markdown.h"
#include "cms/content/sql_charset.h"
#include "core/sql/marks.h"

namespace hub::cms::live {
namespace {

constexpr const char* kColumns =
    "e.id, e.org_id, e.title, e.description, e.starts_at, e.ends_at, e.poster_media_id, e.stream_name, "
    "e.state,"
    " e.recording_id, e.replay_content_id, e.announcement_content_id, e.restream_accounts, e.created_by, "
    "e.created_at, e.updated_at";

std::vector<std::int64_t> idsFromText(const std::string& text) {
  std::vector<std::int64_t> out;
  auto j = Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
  return out;
}

LiveEvent fromRow(const sql::Row& r) {
  LiveEvent e;
  e.id = r.getInt("id");
  e.orgId = r.getInt("org_id");
  e.title = r.getString("title");
  e.description = r.getString("description");
  e.startsAt = r.getInt("starts_at");
  e.endsAt = r.getInt("ends_at");
  if (!r.isNull("poster_media_id")) e.posterMediaId = r.getInt("poster_media_id");
  e.streamName = r.getString("stream_name");
  e.state = r.getString("state");
  e.recordingId = r.getString("recording_id");
  if (!r.isNull("replay_content_id")) e.replayContentId = r.getInt("replay_content_id");
  if (!r.isNull("announcement_content_id")) e.announcementContentId = r.getInt("announcement_content_id");
  e.restreamAccountIds = idsFromText(r.getString("restream_accounts"));
  e.createdBy = r.getInt("created_by");
  e.createdAt = r.getInt("created_at");
  e.updatedAt = r.getInt("updated_at");
  return e;
}

Status loadHosts(sql::Executor& db, std::vector<LiveEvent>& events) {
  for (auto& e : events) {
    auto rows = db.query("SELECT user_id FROM cms_live_hosts WHERE event_id = ? ORDER BY user_id", {e.id});
    if (!rows) return rows.error().wrap("live hosts");
    for (const auto& r : *rows) e.hosts.push_back(r.getInt("user_id"));
  }
  return {};
}

Result<std::optional<LiveEvent>> one(sql::Executor& db, const std::string& where, sql::Params params) {
  auto rows = db.query(std::string("SELECT ") + kColumns + " FROM cms_live_events e WHERE " + where, params);
  if (!rows) return rows.error().wrap("live event");
  if (rows->empty()) return std::optional<LiveEvent>();
  std::vector<LiveEvent> events{fromRow((*rows)[0])};
  if (auto st = loadHosts(db, events); !st) return st.error();
  return std::optional<LiveEvent>(std::move(events[0]));
}

}  // namespace

Json toJson(const LiveEvent& e) {
  return {
      {"id", e.id},
      {"org_id", e.orgId},
      {"title", e.title},
      {"description", e.description},
      {"starts_at", formatTime(e.startsAt)},
      {"ends_at", formatTime(e.endsAt)},
      {"poster_media_id", e.posterMediaId ? Json(*e.posterMediaId) : Json(nullptr)},
      {"stream", e.streamName},
      {"watch_path", "/watch/" + e.streamName},
      {"state", e.state},
      {"recording_id", e.recordingId.empty() ? Json(nullptr) : Json(e.recordingId)},
      {"replay_content_id", e.replayContentId ? Json(*e.replayContentId) : Json(nullptr)},
      {"announcement_content_id", e.announcementContentId ? Json(*e.announcementContentId) : Json(nullptr)},
      {"hosts", e.hosts},
      {"restream_account_ids", e.restreamAccountIds},
      {"created_by", e.createdBy},
      {"created_at", formatTime(e.createdAt)},
      {"updated_at", formatTime(e.updatedAt)}};
}

std::vector<sql::Migration> migrations() {
  auto script = [](const std::string& autoId) {
    return "CREATE TABLE cms_live_events (id " + autoId +
           ", org_id BIGINT NOT NULL, title VARCHAR(400) NOT NULL, description TEXT NOT NULL,"
           " starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, poster_media_id BIGINT NULL,"
           " stream_name VARCHAR(64) NOT NULL UNIQUE, state VARCHAR(24) NOT NULL,"
           " recording_id VARCHAR(64) NOT NULL, replay_content_id BIGINT NULL, announcement_content_id "
           "BIGINT NULL,"
           " restream_accounts TEXT NOT NULL, created_by BIGINT NOT NULL, created_at BIGINT NOT NULL,"
           " updated_at BIGINT NOT NULL);"
           "CREATE INDEX cms_live_events_org ON cms_live_events (org_id, starts_at);"
           "CREATE TABLE cms_live_hosts (event_id BIGINT NOT NULL, user_id BIGINT NOT NULL,"
           " PRIMARY KEY (event_id, user_id))";
  };
  sql::Migration m;
  m.component = "cms.live";
  m.version = 1;
  m.name = "live events and their hosts";
  m.sqlite = script("INTEGER PRIMARY KEY AUTOINCREMENT");
  m.mysql = content::withUtf8mb4(script("BIGINT AUTO_INCREMENT PRIMARY KEY"));
  return {m};
}

Result<std::optional<LiveEvent>> getEvent(sql::Executor& db, std::int64_t id) {
  return one(db, "e.id = ?", {id});
}

Result<std::optional<LiveEvent>> findByStream(sql::Executor& db, const std::string& streamName) {
  return one(db, "e.stream_name = ?", {streamName});
}

Result<std::optional<std::int64_t>> announcedStart(sql::Executor& db, std::int64_t contentId) {
  auto rows = db.query("SELECT MIN(starts_at) AS s FROM cms_live_events WHERE announcement_content_id = ?",
                       {contentId});
  if (!rows) return rows.error().wrap("live event of announcement");
  if (rows->empty() || (*rows)[0].isNull("s")) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>((*rows)[0].getInt("s"));
}

Result<std::vector<LiveEvent>> listEvents(sql::Executor& db, const std::string& pathSql, sql::Params params,
                                          int limit) {
  params.push_back(static_cast<std::int64_t>(limit));
  auto rows = db.query(std::string("SELECT ") + kColumns +
                           " FROM cms_live_events e JOIN cms_orgs o ON o.id = e.org_id WHERE " + pathSql +
                           " ORDER BY e.starts_at, e.id LIMIT ?",
                       params);
  if (!rows) return rows.error().wrap("live events");
  std::vector<LiveEvent> out;
  for (const auto& r : *rows) out.push_back(fromRow(r));
  if (auto st = loadHosts(db, out); !st) return st.error();
  return out;
}

Result<std::int64_t> insertEvent(sql::Executor& tx, const LiveEvent& e) {
  auto r = tx.insert(
      "INSERT INTO cms_live_events (org_id, title, description, starts_at, ends_at, poster_media_id, "
      "stream_name,"
      " state, recording_id, replay_content_id, announcement_content_id, restream_accounts, created_by, "
      "created_at,"
      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?, ?, ?)",
      {e.orgId, e.title, e.description, e.startsAt, e.endsAt, e.posterMediaId, e.streamName, e.state,
       e.announcementContentId, Json(e.restreamAccountIds).dump(), e.createdBy, e.createdAt, e.updatedAt});
  if (!r) return r.error().wrap("insert live event");
  for (auto host : e.hosts)
    if (auto h =
            tx.exec("INSERT INTO cms_live_hosts (event_id, user_id) VALUES (?, ?)", {r->lastInsertId, host});
        !h)
      return h.error().wrap("insert live host");
  return r->lastInsertId;
}

Status updateEvent(sql::Executor& tx, const LiveEvent& e) {
  auto r = tx.exec(
      "UPDATE cms_live_events SET title = ?, description = ?, starts_at = ?, ends_at = ?, poster_media_id = "
      "?, "
      "restream_accounts = ?, updated_at = ? WHERE id = ?",
      {e.title, e.description, e.startsAt, e.endsAt, e.posterMediaId, Json(e.restreamAccountIds).dump(),
       e.updatedAt, e.id});
  if (!r) return r.error().wrap("update live event");
  if (auto d = tx.exec("DELETE FROM cms_live_hosts WHERE event_id = ?", {e.id}); !d)
    return d.error().wrap("live hosts");
  for (auto host : e.hosts)
    if (auto h = tx.exec("INSERT INTO cms_live_hosts (event_id, user_id) VALUES (?, ?)", {e.id, host}); !h)
      return h.error().wrap("live hosts");
  return {};
}

Result<std::int64_t> announcementPostsFrom(sql::Executor& db, std::int64_t contentId, std::int64_t t) {
  auto rows = db.query(
      "SELECT COUNT(*) AS n FROM cms_schedules WHERE item_id = ? AND state = 'scheduled' AND due_at >= ?",
      {contentId, t});
  if (!rows) return rows.error().wrap("announcement posts");
  return rows->empty() ? 0 : (*rows)[0].getInt("n");
}

Status setRestreamAccounts(sql::Executor& tx, std::int64_t id, const std::vector<std::int64_t>& accountIds,
                           std::int64_t now) {
  auto r = tx.exec("UPDATE cms_live_events SET restream_accounts = ?, updated_at = ? WHERE id = ?",
                   {Json(accountIds).dump(), now, id});
  if (!r) return r.error().wrap("live restream accounts");
  return {};
}

Result<bool> moveState(sql::Executor& tx, const std::string& streamName,
                       std::initializer_list<std::string_view> from, std::string_view to, std::int64_t now) {
  const std::string sql =
      "UPDATE cms_live_events SET state = ?, updated_at = ? WHERE stream_name = ? AND state IN (" +
      sql::marks(from.size()) + ")";
  sql::Params params{std::string(to), now, streamName};
  for (auto f : from) params.push_back(std::string(f));
  auto r = tx.exec(sql, params);
  if (!r) return r.error().wrap("live event state");
  return r->affected > 0;
}

Status setReplay(sql::Executor& tx, std::int64_t id, const std::string& recordingId,
                 std::optional<std::int64_t> contentId, std::int64_t now) {
  auto r = tx.exec(
      "UPDATE cms_live_events SET recording_id = ?, replay_content_id = ?, updated_at = ? WHERE id = ?",
      {recordingId, contentId, now, id});
  if (!r) return r.error().wrap("live event replay");
  return {};
}

Result<std::vector<std::int64_t>> existingUsers(sql::Executor& db, const std::vector<std::int64_t>& ids) {
  std::vector<std::int64_t> out;
  for (auto id : ids) {
    auto rows = db.query("SELECT id FROM cms_users WHERE id = ?", {id});
    if (!rows) return rows.error().wrap("users");
    if (!rows->empty()) out.push_back(id);
  }
  return out;
}

Result<std::int64_t> createDraft(sql::Executor& tx, const audit::AuditLog& audit, const auth::Actor& actor,
                                 std::int64_t orgId, const std::string& type, const std::string& title,
                                 const std::string& body, std::vector<std::string> tags, std::int64_t now) {
  content::Item item;
  item.orgId = orgId;
  item.type = type;
  item.title = title;
  item.body = body;
  item.bodyHtml = content::renderMarkdown(item.body);
  item.state = "draft";
  item.revision = 1;
  item.createdBy = item.updatedBy = actor.userId;
  item.createdAt = item.updatedAt = now;
  item.tags = std::move(tags);
  auto id = content::insertItem(tx, item);
  if (!id) return id.error();
  item.id = *id;
  if (auto st = content::insertRevision(tx, content::revisionOf(item, actor, now)); !st) return st.error();
  Json after = content::toJson(item);
  after.erase("body_html");
  if (auto st = audit.record(tx, actor, "content.create", "content", std::to_string(item.id), nullptr, after);
      !st)
    return st.error();
  return item.id;
}

Result<bool> moveAnnouncedStart(sql::Executor& tx, const audit::AuditLog& audit, const auth::Actor& actor,
                                std::int64_t contentId, std::int64_t oldStart, std::int64_t newStart,
                                std::int64_t now) {
  auto found = content::getItem(tx, contentId);
  if (!found) return found.error();
  if (!*found || (*found)->state != "draft") return false;
  content::Item item = **found;
  const std::string from = "开始时间：" + formatTime(oldStart), to = "开始时间：" + formatTime(newStart);
  auto at = item.body.find(from);
  if (at == std::string::npos) return false;  // an editor rewrote it: left to them
  Json before = content::toJson(item);
  item.body.replace(at, from.size(), to);
  item.bodyHtml = content::renderMarkdown(item.body);
  item.revision += 1;
  item.updatedBy = actor.userId;
  item.updatedAt = now;
  if (auto st = content::updateItem(tx, item); !st) return st.error();
  if (auto st = content::insertRevision(tx, content::revisionOf(item, actor, now)); !st) return st.error();
  Json after = content::toJson(item);
  before.erase("body_html");
  after.erase("body_html");
  if (auto st = audit.record(tx, actor, "content.update", "content", std::to_string(item.id), before, after);
      !st)
    return st.error();
  return true;
}

}  // namespace hub::cms::live
