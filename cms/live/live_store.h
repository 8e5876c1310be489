// cms/live/live_store.h
//
// Live events in SQL (component "cms.live"): the event (title, description, organisation,
// scheduled start and end in UTC epoch seconds, poster, the media stream it owns, its state, the
// recording and replay content once there are), its hosts, and the accounts whose live-push
// addresses it restreams to. Blocking; call on a worker, inside the caller's transaction for
// mutations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/json.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/actor.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::cms::live {

// scheduled -> live (a publisher connected) -> ended -> replay_available (recording ready).
inline constexpr std::string_view kScheduled = "scheduled";
inline constexpr std::string_view kLive = "live";
inline constexpr std::string_view kEnded = "ended";
inline constexpr std::string_view kReplayAvailable = "replay_available";

struct LiveEvent {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string title;
  std::string description;
  std::int64_t startsAt = 0, endsAt = 0;
  std::optional<std::int64_t> posterMediaId;
  std::string streamName;
  std::string state{kScheduled};
  std::string recordingId;
  std::optional<std::int64_t> replayContentId;
  std::optional<std::int64_t> announcementContentId;  // the live_announcement draft made with it
  std::vector<std::int64_t> hosts;                    // user ids
  std::vector<std::int64_t> restreamAccountIds;       // accounts with a live-push address
  std::int64_t createdBy = 0;
  std::int64_t createdAt = 0, updatedAt = 0;
};

// The API's view (times in +08:00, no stream key).
Json toJson(const LiveEvent& e);

std::vector<sql::Migration> migrations();

Result<std::optional<LiveEvent>> getEvent(sql::Executor& db, std::int64_t id);
Result<std::optional<LiveEvent>> findByStream(sql::Executor& db, const std::string& streamName);
// Events in the organisations matching `pathSql` (a visiblePaths filter on "o.path", with its
// params), soonest first.
Result<std::vector<LiveEvent>> listEvents(sql::Executor& db, const std::string& pathSql, sql::Params params,
                                          int limit);
Result<std::int64_t> insertEvent(sql::Executor& tx, const LiveEvent& e);
// Writes the editable fields (title, description, times, poster, restream accounts, hosts).
Status updateEvent(sql::Executor& tx, const LiveEvent& e);
// How many of the announcement's posts still waiting (state scheduled) are due at or after `t`.
Result<std::int64_t> announcementPostsFrom(sql::Executor& db, std::int64_t contentId, std::int64_t t);
Status setRestreamAccounts(sql::Executor& tx, std::int64_t id, const std::vector<std::int64_t>& accountIds,
                           std::int64_t now);
// Moves the event of `streamName` to `to` when its state is one of `from`: true when this call
// moved it (several CMS nodes hear the same announcement; one of them wins).
Result<bool> moveState(sql::Executor& tx, const std::string& streamName,
                       std::initializer_list<std::string_view> from, std::string_view to, std::int64_t now);
Status setReplay(sql::Executor& tx, std::int64_t id, const std::string& recordingId,
                 std::optional<std::int64_t> contentId, std::int64_t now);
// The scheduled start of the event whose announcement is content item `contentId` (nullopt when
// the item announces no event). Its posts must be due before it (schedule_posts.h).
Result<std::optional<std::int64_t>> announcedStart(sql::Executor& db, std::int64_t contentId);
// Which of these user ids exist.
Result<std::vector<std::int64_t>> existingUsers(sql::Executor& db, const std::vector<std::int64_t>& ids);

// A draft content item (for review), audited as created by `actor`: the replay (type video)
// and the announcement (type live_announcement). Returns its id.
Result<std::int64_t> createDraft(sql::Executor& tx, const audit::AuditLog& audit, const auth::Actor& actor,
                                 std::int64_t orgId, const std::string& type, const std::string& title,
                                 const std::string& body, std::vector<std::string> tags, std::int64_t now);

// The announcement's text names the event's start ("开始时间：..."); while it is still a draft,
// a moved start is written into it as a new revision by `actor` (audited "content.update").
// Returns whether it changed (false once it left draft: reviewed text is not rewritten).
Result<bool> moveAnnouncedStart(sql::Executor& tx, const audit::AuditLog& audit, const auth::Actor& actor,
                                std::int64_t contentId, std::int64_t oldStart, std::int64_t newStart,
                                std::int64_t now);

}  // namespace hub::cms::live
