// cms/audit/audit_log.h
//
// The audit log of every CMS mutation and every sign-in: who (user id and name, client
// address), what (action like "user.create", object type and id), when (UTC epoch seconds),
// before and after (JSON, null when there is none). Call record() IN THE SAME TRANSACTION as
// the mutation, so there is never a change without its entry nor an entry without its change.
// Never put secrets (passwords, tokens, credentials) in before/after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"

namespace hub::cms::audit {

// Component "cms.audit".
std::vector<sql::Migration> migrations();

struct Entry {
  std::int64_t id = 0;
  std::int64_t at = 0;  // UTC epoch seconds
  std::int64_t actorId = 0;
  std::string actorName, peer, action, objectType, objectId;
  Json before, after;
};

struct Query {
  std::optional<std::int64_t> actorId;
  std::string action;  // exact, or a prefix ending in '.' ("user.")
  std::string objectType, objectId;
  std::optional<std::int64_t> from, to;  // epoch seconds, [from, to)
  std::int64_t beforeId = 0;             // paging: entries with id below this (0: newest)
  int limit = 50;
};

class AuditLog {
 public:
  explicit AuditLog(const Clock& clock) : clock_(clock) {}

  Status record(sql::Executor& txOrDb, const auth::Actor& actor, std::string_view action,
                std::string_view objectType, std::string objectId, const Json& before,
                const Json& after) const;

  // One entry of recordMany().
  struct Record {
    auth::Actor actor;
    std::string action, objectType, objectId;
    Json before, after;
  };
  // Every record in ONE multi-row statement (batched writers, e.g. step submissions).
  Status recordMany(sql::Executor& txOrDb, const std::vector<Record>& records) const;

  // Newest first.
  Result<std::vector<Entry>> query(sql::Executor& db, const Query& q) const;

 private:
  const Clock& clock_;
};

}  // namespace hub::cms::audit
