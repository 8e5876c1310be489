// cms/live/live_routes.cpp
//
// Handlers for live events. Access: outside every subtree the actor can see, an event is 404;
// creating and changing an event needs Editor on its organisation, the ingest (URL and key)
// and its rotation need Host there (Admin covers both), else 403. Stream calls go over the bus
// to media (they block for at most the client's timeout) and run before the SQL transaction,
// never inside it.
#include "cms/live/live_routes.h"

#include <memory>
#include <random>
#include <set>

#include "cms/accounts/account_store.h"
#include "cms/accounts/platform_limits.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/live/live_follower.h"
#include "cms/live/live_store.h"
#include "cms/media_library/media_file.h"
#include "cms/media_library/media_store.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"

namespace hub::cms::live {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.live");
  return log;
}

std::string newStreamName() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string name = "live-";
  for (int i = 0; i < 12; ++i) name += hex[rng() & 15];
  return name;
}

// A stream call that failed: media unreachable is 503, anything else 502 (media said no).
ApiError streamError(const Error& e, std::int64_t eventId) {
  logger()->warn("[event={}] stream call failed: {} ({})", eventId, e.code, e.message);
  if (e.code == "streams.timeout" || e.code == "streams.unavailable")
    return ApiError{503, "live.media_unavailable", "the media service did not answer; try again", {}, {}};
  return ApiError{502, "live.media_error", "the media service refused: " + e.code, {}, {}};
}

std::optional<std::vector<std::int64_t>> idList(const Json& j) {
  if (!j.is_array() || j.size() > 50) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const auto& v : j) {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) return std::nullopt;
    out.push_back(v.get<std::int64_t>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Shared {
  std::optional<accounts::CredentialBox> box;
};

// The live-push URLs of these accounts (credentials field "live_push_url"), each visible to the
// actor as Editor; per-field errors otherwise.
Result<std::vector<std::string>> pushUrls(CmsContext& ctx, const Shared& shared, const auth::Actor& actor,
                                          const std::vector<std::int64_t>& ids,
                                          std::map<std::string, std::string>& errors) {
  std::vector<std::string> urls;
  for (auto id : ids) {
    auto a = accounts::getAccount(ctx.base.db, id);
    if (!a) return a.error();
    if (!*a || !ctx.access.can(actor, {Role::Editor}, (*a)->orgId)) {
      errors["restream_account_ids"] = "account " + std::to_string(id) + " not found";
      continue;
    }
    if (!shared.box) return makeError("accounts.no_key", "credentials key unavailable");
    auto creds = accounts::openCredentials(ctx.base.db, *shared.box, id);
    if (!creds) return creds.error();
    std::string url;
    if (creds->is_object() && creds->contains("live_push_url") && (*creds)["live_push_url"].is_string())
      url = (*creds)["live_push_url"].get<std::string>();
    if (url.rfind("rtmp://", 0) != 0 && url.rfind("rtmps://", 0) != 0) {
      errors["restream_account_ids"] =
          "account " + std::to_string(id) + " has no live-push address (credentials.live_push_url)";
      continue;
    }
    urls.push_back(url);
  }
  return urls;
}

// The editable fields present in `b` into `e` (create and PATCH): title, description,
// starts_at/ends_at (ends after starts), poster_media_id, hosts, restream_account_ids (their
// push URLs into `targets`). Per-field messages into `errors`; an Error only for SQL.
Status readFields(CmsContext& ctx, const Shared& shared, const auth::Actor& actor, const Json& b,
                  LiveEvent& e, std::map<std::string, std::string>& errors,
                  std::vector<std::string>& targets) {
  if (b.contains("title")) {
    if (!b["title"].is_string() || b["title"].get<std::string>().empty())
      errors["title"] = "required text";
    else if (auto len = accounts::utf8Length(b["title"].get<std::string>()); !len || *len > 200)
      errors["title"] = "at most 200 characters of UTF-8";
    else
      e.title = b["title"].get<std::string>();
  }
  if (b.contains("description")) {
    if (!b["description"].is_string() || b["description"].get<std::string>().size() > 20000)
      errors["description"] = "text of at most 20000 bytes";
    else
      e.description = b["description"].get<std::string>();
  }
  for (const char* field : {"starts_at", "ends_at"}) {
    if (!b.contains(field)) continue;
    auto t = b[field].is_string() ? parseTime(b[field].get<std::string>())
                                  : Result<std::int64_t>(makeError("time.invalid", "required"));
    if (!t)
      errors[field] = "an RFC 3339 time with an offset (2026-12-31T20:00:00+08:00)";
    else
      (std::string_view(field) == "starts_at" ? e.startsAt : e.endsAt) = *t;
  }
  if (!errors.count("starts_at") && !errors.count("ends_at") && e.endsAt <= e.startsAt)
    errors["ends_at"] = "after starts_at";
  if (b.contains("poster_media_id")) {
    if (b["poster_media_id"].is_null())
      e.posterMediaId.reset();
    else if (!b["poster_media_id"].is_number_integer() || b["poster_media_id"].get<std::int64_t>() <= 0)
      errors["poster_media_id"] = "a media library id";
    else
      e.posterMediaId = b["poster_media_id"].get<std::int64_t>();
  }
  if (b.contains("hosts")) {
    auto ids = idList(b["hosts"]);
    if (!ids) {
      errors["hosts"] = "an array of user ids (at most 50)";
    } else {
      auto found = existingUsers(ctx.base.db, *ids);
      if (!found) return found.error();
      if (found->size() != ids->size())
        errors["hosts"] = "every host must be an existing user";
      else
        e.hosts = *ids;
    }
  }
  if (b.contains("restream_account_ids")) {
    auto ids = idList(b["restream_account_ids"]);
    if (!ids) {
      errors["restream_account_ids"] = "an array of account ids (at most 50)";
    } else {
      auto urls = pushUrls(ctx, shared, actor, *ids, errors);
      if (!urls) return urls.error();
      targets = *urls;
      e.restreamAccountIds = *ids;
    }
  }
  return {};
}

// The poster must be in a media library the actor sees.
std::optional<Reply> checkPoster(CmsContext& ctx, const auth::Actor& actor,
                                 std::optional<std::int64_t> poster) {
  if (!poster) return std::nullopt;
  auto rows = ctx.base.db.query("SELECT org_id FROM cms_media WHERE id = ?", {*poster});
  if (!rows) return Reply(rows.error());
  if (rows->empty() || !ctx.access.canSee(actor, (*rows)[0].getInt("org_id")))
    return Reply(ApiError::validation({{"poster_media_id", "not found in the media library"}}));
  return std::nullopt;
}

// What media lists as upcoming; the poster through the public route below.
service::StreamSchedule scheduleOf(const CmsContext& ctx, const LiveEvent& e) {
  service::StreamSchedule schedule;
  schedule.title = e.title.substr(0, 255);
  schedule.startsAt = e.startsAt;
  schedule.endsAt = e.endsAt;
  if (e.posterMediaId)
    schedule.posterUrl = ctx.base.config.http.publicUrl + "/api/v1/public/live-events/" +
                         std::to_string(e.id) + "/poster?v=" + std::to_string(*e.posterMediaId);
  return schedule;
}

// The poster of an upcoming or live event, for anyone (media's public listing links it); 404
// for every other event and for anything else in the media library.
void addPublicPoster(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/public/live-events/:id/poster", Guard::Public,
           [&ctx](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("poster");
             auto e = getEvent(ctx.base.db, *id);
             if (!e) return e.error();
             if (!*e || !(*e)->posterMediaId || ((*e)->state != kScheduled && (*e)->state != kLive))
               return ApiError::notFound("poster");
             auto m = media_library::getMedia(ctx.base.db, *(*e)->posterMediaId);
             if (!m) return m.error();
             if (!*m || (*m)->state != "complete" || (*m)->kind != "image")
               return ApiError::notFound("poster");
             auto r = media_library::mediaFileResponse(
                 media_library::mediaFilePath(ctx.base.config.data.dir, (*m)->id), (*m)->mime,
                 "public, max-age=300");
             if (!r) return ApiError::notFound("poster");
             return Reply::raw(std::move(*r));
           });
}

Reply loadVisible(CmsContext& ctx, CmsRequest& req, LiveEvent& out) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("live event");
  auto e = getEvent(ctx.base.db, *id);
  if (!e) return e.error();
  if (!*e || !ctx.access.canSee(req.actor, (*e)->orgId)) return ApiError::notFound("live event");
  out = std::move(**e);
  return Reply::noContent();
}

void addCreate(CmsContext& ctx, std::shared_ptr<Shared> shared) {
  addRoute(ctx, http::Method::Post, "/api/v1/live-events", Guard::Signed,
           [&ctx, shared](CmsRequest& req) -> Reply {
             const Json& b = req.body;
             if (!b.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             std::map<std::string, std::string> errors;
             LiveEvent e;
             const auto now = nowSeconds(ctx.base.clock);
             for (const char* field : {"title", "starts_at", "ends_at"})
               if (!b.contains(field)) errors[field] = "required";
             if (!b.contains("org_id") || !b["org_id"].is_number_integer() ||
                 !ctx.orgs.exists(b["org_id"].get<std::int64_t>()))
               errors["org_id"] = "an existing organisation id";
             else
               e.orgId = b["org_id"].get<std::int64_t>();
             std::vector<std::string> targets;
             if (auto st = readFields(ctx, *shared, req.actor, b, e, errors, targets); !st) return st.error();
             if (!errors.count("starts_at") && b.contains("starts_at") && e.startsAt < now)
               errors["starts_at"] = "in the past";
             if (e.orgId && !errors.count("org_id") && !ctx.access.can(req.actor, {Role::Editor}, e.orgId))
               return ApiError::forbidden();
             if (!errors.empty()) return ApiError::validation(errors);
             if (auto bad = checkPoster(ctx, req.actor, e.posterMediaId)) return *bad;

             // The stream first (over the bus, outside any transaction): the event row names it.
             e.streamName = newStreamName();
             auto stream = ctx.base.streams.create(e.streamName, e.title.substr(0, 255));
             if (!stream) return streamError(stream.error(), 0);
             if (!targets.empty())
               if (auto r = ctx.base.streams.setRestreamTargets(e.streamName, targets); !r)
                 return streamError(r.error(), 0);
             e.createdBy = req.actor.userId;
             e.createdAt = e.updatedAt = now;
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               // The announcement as a draft for review; once approved it is scheduled to the
               // chosen accounts before the start with POST /api/v1/schedules.
               auto announcement =
                   createDraft(tx, ctx.audit, req.actor, e.orgId, "live_announcement", "直播预告：" + e.title,
                               "**" + e.title + "**\n\n开始时间：" + formatTime(e.startsAt) +
                                   "\n\n[观看直播](/watch/" + e.streamName + ")\n\n" + e.description,
                               {"live"}, now);
               if (!announcement) return announcement.error();
               e.announcementContentId = *announcement;
               auto id = insertEvent(tx, e);
               if (!id) return id.error();
               e.id = *id;
               if (auto st = ctx.audit.record(tx, req.actor, "live.create", "live_event",
                                              std::to_string(e.id), nullptr, toJson(e));
                   !st)
                 return st.error();
               return Reply::created(toJson(e));
             });
             if (reply.isError()) {
               logger()->warn("[stream={}] event not stored; the stream stays without an event",
                              e.streamName);
               return reply;
             }
             if (auto st = ctx.base.streams.setSchedule(e.streamName, scheduleOf(ctx, e)); !st)
               logger()->warn("[event={}] not listed as upcoming: {}", e.id, st.error().message);
             logger()->info("[event={} stream={} org={}] live event created by user {}", e.id, e.streamName,
                            e.orgId, req.actor.userId);
             return reply;
           });
}

// PATCH: any editable field; the start only while the event is scheduled and not into the past;
// a start moved to or before posts of its announcement still waiting is 422
// "schedule.after_event_start" (move or cancel them first). Stream calls first, then SQL and the
// audit ("live.update"), then media's upcoming entry.
void addEdit(CmsContext& ctx, std::shared_ptr<Shared> shared) {
  addRoute(ctx, http::Method::Patch, "/api/v1/live-events/:id", Guard::Signed,
           [&ctx, shared](CmsRequest& req) -> Reply {
             LiveEvent e;
             if (auto r = loadVisible(ctx, req, e); r.isError()) return r;
             if (!ctx.access.can(req.actor, {Role::Editor}, e.orgId)) return ApiError::forbidden();
             const Json& b = req.body;
             if (!b.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             static const std::set<std::string> editable{
                 "title",           "description", "starts_at",           "ends_at",
                 "poster_media_id", "hosts",       "restream_account_ids"};
             std::map<std::string, std::string> errors;
             for (auto it = b.begin(); it != b.end(); ++it)
               if (!editable.count(it.key())) errors[it.key()] = "cannot be changed";
             LiveEvent after = e;
             std::vector<std::string> targets;
             if (auto st = readFields(ctx, *shared, req.actor, b, after, errors, targets); !st)
               return st.error();
             const auto now = nowSeconds(ctx.base.clock);
             const bool moved = after.startsAt != e.startsAt;
             if (moved && !errors.count("starts_at")) {
               if (e.state != kScheduled)
                 errors["starts_at"] = "the event has started";
               else if (after.startsAt < now)
                 errors["starts_at"] = "in the past";
             }
             if (!errors.empty()) return ApiError::validation(errors);
             if (after.posterMediaId != e.posterMediaId)
               if (auto bad = checkPoster(ctx, req.actor, after.posterMediaId)) return *bad;
             if (moved && e.announcementContentId) {
               auto late = announcementPostsFrom(ctx.base.db, *e.announcementContentId, after.startsAt);
               if (!late) return late.error();
               if (*late > 0) {
                 std::string msg =
                     std::to_string(*late) +
                     " post(s) of the announcement are due at or after the new start; move or cancel "
                     "them first";
                 ApiError err = ApiError::validation({{"starts_at", msg}}, msg);
                 err.code = "schedule.after_event_start";
                 return err;
               }
             }
             if (b.contains("restream_account_ids") && after.restreamAccountIds != e.restreamAccountIds)
               if (auto r = ctx.base.streams.setRestreamTargets(e.streamName, targets); !r)
                 return streamError(r.error(), e.id);
             after.updatedAt = now;
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = updateEvent(tx, after); !st) return st.error();
               if (moved && e.announcementContentId)
                 if (auto r = moveAnnouncedStart(tx, ctx.audit, req.actor, *e.announcementContentId,
                                                 e.startsAt, after.startsAt, now);
                     !r)
                   return r.error();
               if (auto st = ctx.audit.record(tx, req.actor, "live.update", "live_event",
                                              std::to_string(e.id), toJson(e), toJson(after));
                   !st)
                 return st.error();
               return toJson(after);
             });
             if (reply.isError()) return reply;
             if (e.state == kScheduled && (after.title != e.title || moved || after.endsAt != e.endsAt ||
                                           after.posterMediaId != e.posterMediaId))
               if (auto st = ctx.base.streams.setSchedule(e.streamName, scheduleOf(ctx, after)); !st)
                 logger()->warn("[event={}] upcoming entry not updated: {}", e.id, st.error().message);
             logger()->info("[event={} stream={}] edited by user {}", e.id, e.streamName, req.actor.userId);
             return reply;
           });
}

void addReads(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/live-events", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto limit = req.intQuery("limit", 100, 1, 500);
    if (!limit) return ApiError::validation({{"limit", "1..500"}});
    auto f = ctx.access.pathFilter(req.actor, auth::Access::anyRole(), "o.path");
    auto list = listEvents(ctx.base.db, f.sql, f.params, static_cast<int>(*limit));
    if (!list) return list.error();
    Json arr = Json::array();
    for (const auto& e : *list) arr.push_back(toJson(e));
    return Json{{"events", arr}};
  });
  addRoute(ctx, http::Method::Get, "/api/v1/live-events/:id", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             LiveEvent e;
             if (auto r = loadVisible(ctx, req, e); r.isError()) return r;
             return toJson(e);
           });
}

void addIngest(CmsContext& ctx) {
  auto ingestJson = [](const service::StreamInfo& s) {
    return Json{
        {"server_url", s.ingestUrl}, {"stream_key", s.key}, {"publish_url", s.ingestUrl + "/" + s.key},
        {"stream", s.name},          {"live", s.live},      {"held", s.held}};
  };
  addRoute(ctx, http::Method::Get, "/api/v1/live-events/:id/ingest", Guard::Signed,
           [&ctx, ingestJson](CmsRequest& req) -> Reply {
             LiveEvent e;
             if (auto r = loadVisible(ctx, req, e); r.isError()) return r;
             if (!ctx.access.can(req.actor, {Role::Host}, e.orgId)) return ApiError::forbidden();
             auto s = ctx.base.streams.get(e.streamName);
             if (!s) return streamError(s.error(), e.id);
             return Reply(ingestJson(*s)).header("Cache-Control", "no-store");
           });
  addRoute(ctx, http::Method::Post, "/api/v1/live-events/:id/ingest/rotate", Guard::Signed,
           [&ctx, ingestJson](CmsRequest& req) -> Reply {
             LiveEvent e;
             if (auto r = loadVisible(ctx, req, e); r.isError()) return r;
             if (!ctx.access.can(req.actor, {Role::Host}, e.orgId)) return ApiError::forbidden();
             auto s = ctx.base.streams.rotateKey(e.streamName);
             if (!s) return streamError(s.error(), e.id);
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = ctx.audit.record(tx, req.actor, "live.rotate_key", "live_event",
                                              std::to_string(e.id), nullptr, Json{{"stream", e.streamName}});
                   !st)
                 return st.error();
               return ingestJson(*s);
             });
             logger()->info("[event={} stream={}] key rotated by user {}", e.id, e.streamName,
                            req.actor.userId);
             return reply.isError() ? reply : reply.header("Cache-Control", "no-store");
           });
}

void addRestream(CmsContext& ctx, std::shared_ptr<Shared> shared) {
  addRoute(
      ctx, http::Method::Put, "/api/v1/live-events/:id/restream", Guard::Signed,
      [&ctx, shared](CmsRequest& req) -> Reply {
        LiveEvent e;
        if (auto r = loadVisible(ctx, req, e); r.isError()) return r;
        if (!ctx.access.can(req.actor, {Role::Editor}, e.orgId)) return ApiError::forbidden();
        auto ids = req.body.is_object() && req.body.contains("account_ids") ? idList(req.body["account_ids"])
                                                                            : std::nullopt;
        if (!ids) return ApiError::validation({{"account_ids", "an array of account ids (at most 50)"}});
        std::map<std::string, std::string> errors;
        auto urls = pushUrls(ctx, *shared, req.actor, *ids, errors);
        if (!urls) return urls.error();
        if (!errors.empty()) {
          errors["account_ids"] = errors["restream_account_ids"];
          errors.erase("restream_account_ids");
          return ApiError::validation(errors);
        }
        if (auto r = ctx.base.streams.setRestreamTargets(e.streamName, *urls); !r)
          return streamError(r.error(), e.id);
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          Json before = toJson(e);
          e.restreamAccountIds = *ids;
          e.updatedAt = nowSeconds(ctx.base.clock);
          if (auto st = setRestreamAccounts(tx, e.id, *ids, e.updatedAt); !st) return st.error();
          if (auto st = ctx.audit.record(tx, req.actor, "live.restream", "live_event", std::to_string(e.id),
                                         Json{{"restream_account_ids", before["restream_account_ids"]}},
                                         Json{{"restream_account_ids", *ids}});
              !st)
            return st.error();
          return toJson(e);
        });
      });
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  auto shared = std::make_shared<Shared>();
  if (auto box =
          accounts::CredentialBox::load(ctx.base.config.cmsContent.credentialsKey, ctx.base.config.data.dir))
    shared->box = std::move(*box);
  else
    logger()->warn("credentials key: {}; restreaming to accounts is refused", box.error().message);
  addCreate(ctx, shared);
  addEdit(ctx, shared);
  addPublicPoster(ctx);
  addReads(ctx);
  addIngest(ctx);
  addRestream(ctx, shared);
  auto follower = std::make_shared<LiveFollower>(ctx);
  follower->start();
  ctx.onStop([follower] { follower->stop(); });
}

}  // namespace hub::cms::live
