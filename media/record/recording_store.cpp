// media/record/recording_store.cpp
//
// SQL of the recordings table; see recording_store.h.
#include "media/record/recording_store.h"

#include <sstream>

namespace hub::media::record {

namespace {

using Wall = std::chrono::system_clock::time_point;

std::int64_t toMs(Wall t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Wall fromMs(std::int64_t ms) { return Wall(std::chrono::milliseconds(ms)); }

std::string joinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}
std::vector<std::string> splitIds(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string id; std::getline(in, id, ',');)
    if (!id.empty()) out.push_back(id);
  return out;
}

constexpr const char* kColumns =
    "id, stream, state, started_at, ended_at, duration_ms, renditions, size_bytes, has_thumbnail, has_mp4";

RecordingInfo fromRow(const sql::Row& row) {
  RecordingInfo r;
  r.id = row.getString("id");
  r.stream = row.getString("stream");
  r.title = r.stream;
  r.state = row.getString("state");
  r.startedAt = fromMs(row.getInt("started_at"));
  if (!row.isNull("ended_at")) r.endedAt = fromMs(row.getInt("ended_at"));
  r.durationSeconds = static_cast<double>(row.getInt("duration_ms")) / 1000.0;
  r.renditions = splitIds(row.getString("renditions"));
  r.sizeBytes = row.getInt("size_bytes");
  r.hasThumbnail = row.getInt("has_thumbnail") != 0;
  r.hasMp4 = row.getInt("has_mp4") != 0;
  return r;
}

Result<std::vector<RecordingInfo>> collect(Result<sql::Rows> rows) {
  if (!rows) return rows.error().wrap("recordings");
  std::vector<RecordingInfo> out;
  for (const auto& row : *rows) out.push_back(fromRow(row));
  return out;
}

}  // namespace

std::vector<sql::Migration> RecordingStore::migrations() {
  return {sql::Migration::portable("media.record", 1, "create recordings",
                                   "CREATE TABLE recordings ("
                                   " id VARCHAR(64) NOT NULL PRIMARY KEY,"
                                   " stream VARCHAR(128) NOT NULL,"
                                   " state VARCHAR(16) NOT NULL,"
                                   " started_at BIGINT NOT NULL,"
                                   " ended_at BIGINT NULL,"
                                   " duration_ms BIGINT NOT NULL DEFAULT 0,"
                                   " renditions VARCHAR(255) NOT NULL DEFAULT '',"
                                   " size_bytes BIGINT NOT NULL DEFAULT 0,"
                                   " has_thumbnail INTEGER NOT NULL DEFAULT 0,"
                                   " has_mp4 INTEGER NOT NULL DEFAULT 0);"
                                   "CREATE INDEX recordings_started ON recordings (started_at);"
                                   "CREATE INDEX recordings_state ON recordings (state)")};
}

Status RecordingStore::insert(const RecordingInfo& r) {
  auto res = db_.exec(
      "INSERT INTO recordings (id, stream, state, started_at, ended_at, duration_ms, renditions, size_bytes,"
      " has_thumbnail, has_mp4) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
      {r.id, r.stream, r.state, toMs(r.startedAt), static_cast<std::int64_t>(r.durationSeconds * 1000),
       joinIds(r.renditions), r.sizeBytes, r.hasThumbnail ? 1 : 0, r.hasMp4 ? 1 : 0});
  if (!res) return res.error().wrap("insert recording " + r.id);
  return {};
}

Status RecordingStore::update(const RecordingInfo& r) {
  std::optional<std::int64_t> ended;
  if (r.endedAt) ended = toMs(*r.endedAt);
  auto res = db_.exec(
      "UPDATE recordings SET state = ?, ended_at = ?, duration_ms = ?, renditions = ?, size_bytes = ?,"
      " has_thumbnail = ?, has_mp4 = ? WHERE id = ?",
      {r.state, ended, static_cast<std::int64_t>(r.durationSeconds * 1000), joinIds(r.renditions),
       r.sizeBytes, r.hasThumbnail ? 1 : 0, r.hasMp4 ? 1 : 0, r.id});
  if (!res) return res.error().wrap("update recording " + r.id);
  return {};
}

Result<std::vector<RecordingInfo>> RecordingStore::list(int limit, const std::string& state) {
  const std::string base = std::string("SELECT ") + kColumns + " FROM recordings";
  if (state.empty())
    return collect(
        db_.query(base + " ORDER BY started_at DESC, id DESC LIMIT ?", {static_cast<std::int64_t>(limit)}));
  return collect(db_.query(base + " WHERE state = ? ORDER BY started_at DESC, id DESC LIMIT ?",
                           {state, static_cast<std::int64_t>(limit)}));
}

Result<RecordingInfo> RecordingStore::find(const std::string& id) {
  auto rows = collect(db_.query(std::string("SELECT ") + kColumns + " FROM recordings WHERE id = ?", {id}));
  if (!rows) return rows.error();
  if (rows->empty()) return makeError("record.not_found", "no recording " + id);
  return rows->front();
}

Result<std::vector<RecordingInfo>> RecordingStore::unfinished() {
  return collect(
      db_.query(std::string("SELECT ") + kColumns +
                " FROM recordings WHERE state IN ('recording', 'processing') ORDER BY started_at"));
}

Status RecordingStore::remove(const std::string& id) {
  auto res = db_.exec("DELETE FROM recordings WHERE id = ?", {id});
  if (!res) return res.error().wrap("delete recording " + id);
  if (res->affected == 0) return makeError("record.not_found", "no recording " + id);
  return {};
}

}  // namespace hub::media::record
