// media/record/recording_store.h
//
// The `recordings` table (migrations component "media.record"): one row per recorded session,
// following it from "recording" through "processing" (playlists, thumbnail, MP4) to "ready" (or
// "failed"). Times are stored as UTC milliseconds. Blocking: call it from a worker.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "media/record/recorder.h"

namespace hub::media::record {

class RecordingStore {
 public:
  explicit RecordingStore(sql::Database& db) : db_(db) {}

  static std::vector<sql::Migration> migrations();

  Status insert(const RecordingInfo& r);
  // Everything but id, stream and startedAt.
  Status update(const RecordingInfo& r);
  // Newest first; `state` empty: any.
  Result<std::vector<RecordingInfo>> list(int limit, const std::string& state = {});
  // Error "record.not_found".
  Result<RecordingInfo> find(const std::string& id);
  // Rows still "recording" or "processing": what a crash left behind.
  Result<std::vector<RecordingInfo>> unfinished();
  Status remove(const std::string& id);

 private:
  sql::Database& db_;
};

}  // namespace hub::media::record
