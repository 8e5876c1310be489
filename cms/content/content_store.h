// cms/content/content_store.h
//
// Content items in SQL (component "cms.content"): the item (type, title, Markdown body and its
// rendered HTML, cover, tags, workflow state), one variant per target account, and a revision
// per save. Blocking; call on a worker, inside the caller's transaction for mutations.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::cms::content {

struct Variant {
  std::int64_t accountId = 0;
  std::string title;
  std::string body;
  std::optional<std::int64_t> coverMediaId;
  std::vector<std::int64_t> imageIds;
  std::optional<std::int64_t> videoId;
  std::int64_t updatedAt = 0;
};

struct Item {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string type;  // article, video, image_post, live_announcement
  std::string title;
  std::string body;  // Markdown
  std::string bodyHtml;
  std::optional<std::int64_t> coverMediaId;
  std::vector<std::string> tags;
  std::string state = "draft";
  int revision = 0;
  int reviewRound = 0;
  std::int64_t createdBy = 0, updatedBy = 0;
  std::int64_t createdAt = 0, updatedAt = 0;
};

struct Revision {
  std::int64_t contentId = 0;
  int revision = 0;
  std::string title, body, type;
  std::optional<std::int64_t> coverMediaId;
  std::vector<std::string> tags;
  std::int64_t actorId = 0;
  std::string actorName;
  std::int64_t createdAt = 0;
};

Json toJson(const Item& i);
Json toJson(const Variant& v);
Json toJson(const Revision& r, bool withBody);

std::vector<sql::Migration> migrations();

Result<std::optional<Item>> getItem(sql::Executor& db, std::int64_t id);
Result<std::int64_t> insertItem(sql::Executor& tx, const Item& i);
// Writes every field but state/review round, and replaces the tags.
Status updateItem(sql::Executor& tx, const Item& i);
Status deleteItem(sql::Executor& tx, std::int64_t id);

struct ItemQuery {
  std::string pathSql;
  sql::Params pathParams;
  std::string state, type, tag;
  std::optional<std::int64_t> orgId;
  std::int64_t beforeId = 0;
  int limit = 50;
};
Result<std::vector<Item>> listItems(sql::Executor& db, const ItemQuery& q);

// The item as it is now, saved by `actor` at `now` (epoch seconds).
Revision revisionOf(const Item& i, const auth::Actor& actor, std::int64_t now);
Status insertRevision(sql::Executor& tx, const Revision& r);
Result<std::vector<Revision>> listRevisions(sql::Executor& db, std::int64_t contentId);
Result<std::optional<Revision>> getRevision(sql::Executor& db, std::int64_t contentId, int revision);
// Every user who saved a revision of the item (its authors, who may not approve it).
Result<std::vector<std::int64_t>> authors(sql::Executor& db, std::int64_t contentId);

Result<std::vector<Variant>> listVariants(sql::Executor& db, std::int64_t contentId);
// The variants of several items in one statement (content id -> its variants by account).
Result<std::map<std::int64_t, std::vector<Variant>>> listVariantsOf(
    sql::Executor& db, const std::vector<std::int64_t>& contentIds);
Status upsertVariant(sql::Executor& tx, std::int64_t contentId, const Variant& v);
Result<bool> deleteVariant(sql::Executor& tx, std::int64_t contentId, std::int64_t accountId);

}  // namespace hub::cms::content
