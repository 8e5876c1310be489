// cms/media_library/media_store.h
//
// The media library's rows (component "cms.media"): one per upload, from "uploading" (bytes
// arriving, `received` counting them) to "complete" (sniffed, typed, served). The bytes live in
// files under <data dir>/cms_media/ named by id: "<id>.part" while uploading, "<id>" after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cms/api/json.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::cms::media_library {

struct MediaItem {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string name;
  std::int64_t size = 0;      // declared at creation
  std::int64_t received = 0;  // bytes stored so far
  std::string mime;           // sniffed (empty until the first bytes arrive)
  std::string kind;           // "image", "video", "audio"
  std::string state;          // "uploading", "complete"
  std::int64_t createdBy = 0;
  std::int64_t createdAt = 0, updatedAt = 0;
};

Json toJson(const MediaItem& m);

std::vector<sql::Migration> migrations();

Result<std::optional<MediaItem>> getMedia(sql::Executor& db, std::int64_t id);
Result<std::int64_t> insertMedia(sql::Executor& tx, const MediaItem& m);
// Moves `received` from `expectedReceived` to `newReceived` (compare-and-set: two writers of
// one upload cannot both append); false when another writer moved it first.
Result<bool> advanceMedia(sql::Executor& tx, std::int64_t id, std::int64_t expectedReceived,
                          std::int64_t newReceived, const std::string& mime, const std::string& kind,
                          std::int64_t now);
Status completeMedia(sql::Executor& tx, std::int64_t id, std::int64_t now);
Status deleteMedia(sql::Executor& tx, std::int64_t id);
Result<std::vector<MediaItem>> listMedia(sql::Executor& db, const std::string& pathSql,
                                         const sql::Params& pathParams, const std::string& kind,
                                         std::int64_t beforeId, int limit);

}  // namespace hub::cms::media_library
