// cms/schedule/schedule_routes.cpp
#include "cms/schedule/schedule_routes.h"

#include <memory>

#include "cms/accounts/credential_box.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/connectors/connector_set.h"
#include "cms/org/org_tree.h"
#include "cms/schedule/cms_sources.h"
#include "cms/schedule/schedule_posts.h"
#include "cms/schedule/schedule_store.h"
#include "cms/schedule/scheduler.h"
#include "core/log/log.h"

namespace hub::cms::schedule {
namespace {

using auth::Role;

const auto& logger() {
  static const auto log = hub::log::get("cms.schedule");
  return log;
}

// Everything the routes and the scheduler share, alive until the service stops.
struct Parts {
  std::unique_ptr<CmsSources> sources;
  std::unique_ptr<ScheduleStore> store;
  std::unique_ptr<connectors::ConnectorSet> connectors;
  std::unique_ptr<Scheduler> scheduler;
};

connectors::ConnectorOptions connectorOptions(const config::CmsSchedule& c) {
  connectors::ConnectorOptions o;
  o.dryRun = c.dryRun;
  o.timeouts.connect = std::chrono::milliseconds(c.connectTimeoutMs);
  o.timeouts.total = std::chrono::milliseconds(c.requestTimeoutMs);
  o.wechatBaseUrl = c.wechatBaseUrl;
  o.weiboBaseUrl = c.weiboBaseUrl;
  o.douyinBaseUrl = c.douyinBaseUrl;
  o.wechatTokenMargin = std::chrono::seconds(c.wechatTokenMarginSeconds);
  o.wechatStatusPolls = c.wechatStatusPolls;
  o.wechatPollInterval = std::chrono::milliseconds(c.wechatPollIntervalMs);
  return o;
}

SchedulerOptions schedulerOptions(const config::CmsSchedule& c, bool sqlite) {
  SchedulerOptions o;
  o.tick = std::chrono::milliseconds(c.tickMs);
  o.batch = c.batch;
  o.senders = c.senders;
  o.backoff.base = std::chrono::milliseconds(c.backoffBaseMs);
  o.backoff.max = std::chrono::milliseconds(c.backoffMaxMs);
  o.backoff.maxAttempts = c.maxAttempts;
  o.lease = std::chrono::seconds(c.leaseSeconds);
  o.reconcileDelay = std::chrono::milliseconds(c.reconcileDelayMs);
  o.reconcileGrace = std::chrono::seconds(c.reconcileGraceSeconds);
  o.recoverAllAtStart = sqlite;  // SQLite: one process owns the file, so every "sending" row is ours
  return o;
}

const std::vector<Role>& editors() {
  static const std::vector<Role> r{Role::Editor};
  return r;
}

// 404 outside the caller's subtrees (ids do not leak), 403 when visible but not an editor.
std::optional<ApiError> mayChange(CmsContext& ctx, const auth::Actor& actor, std::int64_t orgId) {
  if (!ctx.access.canSee(actor, orgId)) return ApiError::notFound("schedule");
  if (!ctx.access.can(actor, editors(), orgId))
    return ApiError::forbidden("auth.forbidden", "scheduling needs the editor role here");
  return std::nullopt;
}

Reply fromStoreError(const Error& e, const FieldErrors& fields) {
  if (e.code == "validation") return ApiError::validation(fields);
  if (e.code == "schedule.not_found") return ApiError::notFound("schedule");
  if (e.code == "schedule.item_not_found") return ApiError::notFound("content item");
  if (e.code == "schedule.not_scheduled") return ApiError::conflict(e.code, e.message);
  return e;
}

// 422 with its own code: a live event's announcement due at or after the event's start.
ApiError afterEventStart(const Error& e, const FieldErrors& fields) {
  ApiError out = ApiError::validation(fields, e.message);
  out.code = e.code;
  return out;
}

std::optional<std::int64_t> jsonId(const Json& j) {
  if (j.is_number_integer() && j.get<std::int64_t>() > 0) return j.get<std::int64_t>();
  return std::nullopt;
}

Reply createSchedules(CmsContext& ctx, CmsRequest& req) {
  const Json& b = req.body;
  FieldErrors fields;
  if (!b.is_object()) return ApiError::validation({{"body", "must be a JSON object"}});
  NewSchedule ns;
  if (auto id = jsonId(b.value("item_id", Json())))
    ns.itemId = *id;
  else
    fields["item_id"] = "required: the content item's id";
  Json accounts = b.value("account_ids", Json());
  if (!accounts.is_array() || accounts.empty())
    fields["account_ids"] = "required: a list of account ids";
  else
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      if (auto id = jsonId(accounts[i]))
        ns.accountIds.push_back(*id);
      else
        fields["account_ids[" + std::to_string(i) + "]"] = "must be an account id";
    }
  Json times = b.contains("at") ? Json::array({b["at"]}) : b.value("times", Json());
  if (!times.is_array() || times.empty())
    fields["times"] = "required: a list of RFC 3339 times with an offset";
  else
    for (std::size_t i = 0; i < times.size(); ++i) {
      Result<std::int64_t> t = makeError("time.invalid", "not a string");
      if (times[i] == "now")  // a second from now by the hub's clock (a browser's may be behind it)
        t = nowSeconds(ctx.base.clock) + 1;
      else if (times[i].is_string())
        t = parseTime(times[i].get<std::string>());
      if (t)
        ns.times.push_back(*t);
      else
        fields["times[" + std::to_string(i) + "]"] =
            "must be an RFC 3339 time with an offset, e.g. 2026-12-01T09:30:00+08:00, or \"now\"";
    }
  if (b.contains("recurrence") && !b["recurrence"].is_null() && !ns.times.empty()) {
    auto r = parseRecurrence(b["recurrence"], ns.times.front(), fields);
    if (r) ns.recurrence = *r;
  }
  if (!fields.empty()) return ApiError::validation(fields);

  return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
    auto rows = schedulePosts(ctx, tx, req.actor, ns, fields);
    if (!rows) {
      if (rows.error().code == "schedule.item_not_found") return ApiError::notFound("content item");
      if (rows.error().code == "auth.forbidden")
        return ApiError::forbidden("auth.forbidden", rows.error().message);
      if (rows.error().code == "schedule.not_approved")
        return ApiError::conflict(rows.error().code, rows.error().message);
      if (rows.error().code == "schedule.after_event_start") return afterEventStart(rows.error(), fields);
      return fromStoreError(rows.error(), fields);
    }
    Json out = Json::array();
    for (const auto& r : *rows) out.push_back(toJson(r));
    return Reply::created(Json{{"schedules", out}});
  });
}

Reply changeSchedule(CmsContext& ctx, Parts& parts, CmsRequest& req, bool cancel) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("schedule");
  FieldErrors fields;
  std::optional<std::int64_t> newTime;
  if (!cancel) {
    const Json& b = req.body;
    auto t = b.is_object() && b.contains("at") && b["at"].is_string()
                 ? parseTime(b["at"].get<std::string>())
                 : Result<std::int64_t>(makeError("time.invalid", "no at"));
    if (!t) return ApiError::validation({{"at", "required: an RFC 3339 time with an offset"}});
    newTime = *t;
  }
  return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
    auto before = parts.store->get(tx, *id);
    if (!before) return fromStoreError(before.error(), fields);
    if (auto err = mayChange(ctx, req.actor, before->orgId)) return *err;
    if (!cancel)
      if (Status st = checkAnnouncementTime(tx, before->itemId, *newTime); !st) {
        if (st.error().code != "schedule.after_event_start") return st.error();
        fields["at"] = st.error().message;
        return afterEventStart(st.error(), fields);
      }
    auto after = cancel ? parts.store->cancel(tx, *id) : parts.store->reschedule(tx, *id, *newTime, fields);
    if (!after) return fromStoreError(after.error(), fields);
    Status audited = ctx.audit.record(tx, req.actor, cancel ? "schedule.cancel" : "schedule.move", "schedule",
                                      std::to_string(*id), toJson(*before), toJson(*after));
    if (!audited) return audited.error();
    return toJson(*after);
  });
}

Reply calendar(CmsContext& ctx, Parts& parts, CmsRequest& req) {
  FieldErrors fields;
  CalendarQuery q;
  auto timeParam = [&](const char* name, std::int64_t& out) {
    auto v = req.query(name);
    auto t = v ? parseTime(*v) : Result<std::int64_t>(makeError("time.invalid", "missing"));
    if (!t)
      fields[name] = "required: an RFC 3339 time with an offset";
    else
      out = *t;
  };
  timeParam("from", q.from);
  timeParam("to", q.to);
  const std::int64_t maxDays = ctx.base.config.cmsSchedule.calendarMaxDays;
  if (fields.empty() && q.to <= q.from) fields["to"] = "must be after from";
  if (fields.empty() && q.to - q.from > maxDays * 86400)
    fields["to"] = "the range is at most " + std::to_string(maxDays) + " days";
  auto idQuery = [&](const char* name) -> std::optional<std::int64_t> {
    if (!req.query(name)) return std::nullopt;
    auto v = req.intQuery(name, 0, 1, INT64_MAX);
    if (!v) fields[name] = "must be an id";
    return v;
  };
  auto org = idQuery("org");
  q.accountId = idQuery("account");
  q.groupId = idQuery("group");
  if (auto p = req.query("platform")) q.platform = std::string(*p);
  if (auto s = req.query("state")) {
    static const std::vector<std::string> states{"scheduled", "publishing",  "published",
                                                 "failed",    "unconfirmed", "canceled"};
    if (std::find(states.begin(), states.end(), *s) == states.end()) fields["state"] = "not a schedule state";
    q.state = std::string(*s);
  }
  auto limit = req.intQuery("limit", 500, 1, parts.store->limits().maxPage);
  if (!limit)
    fields["limit"] = "must be 1.." + std::to_string(parts.store->limits().maxPage);
  else
    q.limit = static_cast<int>(*limit);
  if (auto c = req.query("cursor")) {
    auto dot = c->find('.');
    try {
      if (dot == std::string_view::npos) throw std::invalid_argument("cursor");
      q.after = std::make_pair(std::stoll(std::string(c->substr(0, dot))),
                               std::stoll(std::string(c->substr(dot + 1))));
    } catch (const std::exception&) {
      fields["cursor"] = "not a cursor from an earlier page";
    }
  }
  if (!fields.empty()) return ApiError::validation(fields);
  if (org) {
    if (!ctx.orgs.get(*org) || !ctx.access.canSee(req.actor, *org)) return ApiError::notFound("organisation");
    q.orgPath = ctx.orgs.pathOf(*org);
  }
  q.visiblePaths = ctx.access.visiblePaths(req.actor, auth::Access::anyRole());
  auto rows = parts.store->calendar(ctx.base.db, q);
  if (!rows) return rows.error();
  Json items = Json::array();
  for (const auto& r : *rows) items.push_back(toJson(r));
  Json next = nullptr;
  if (static_cast<int>(rows->size()) == q.limit && !rows->empty())
    next = std::to_string(rows->back().dueAt) + "." + std::to_string(rows->back().id);
  return Json{{"items", items}, {"next_cursor", next}, {"time_zone", "Asia/Shanghai"}};
}

// The item's own state and each of its targets (account, time, state, last error).
Reply itemTargets(CmsContext& ctx, Parts& parts, CmsRequest& req) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("content item");
  auto item = parts.sources->item(ctx.base.db, *id);
  if (!item) {
    if (item.error().code == "schedule.item_not_found") return ApiError::notFound("content item");
    return item.error();
  }
  if (!ctx.access.canSee(req.actor, item->orgId)) return ApiError::notFound("content item");
  auto rows = parts.store->forItem(ctx.base.db, *id);
  if (!rows) return rows.error();
  Json targets = Json::array();
  for (const auto& r : *rows) {
    // Targets of accounts outside the caller's subtrees are left out (their names do not leak).
    if (!ctx.access.canSee(req.actor, r.orgId)) continue;
    Json t = toJson(r);
    if (!t.contains("last_error")) t["last_error"] = nullptr;
    targets.push_back(std::move(t));
  }
  return Json{{"item_id", item->id}, {"title", item->title}, {"state", item->state}, {"targets", targets}};
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  const auto& cfg = ctx.base.config.cmsSchedule;
  auto parts = std::make_shared<Parts>();
  std::shared_ptr<const accounts::CredentialBox> box;
  if (auto loaded =
          accounts::CredentialBox::load(ctx.base.config.cmsContent.credentialsKey, ctx.base.config.data.dir))
    box = std::make_shared<const accounts::CredentialBox>(std::move(*loaded));
  else
    logger()->error("no credentials key ({}): accounts are published to without credentials",
                    loaded.error().message);
  parts->sources = std::make_unique<CmsSources>(box, ctx.base.clock);
  StoreLimits limits;
  limits.maxOccurrences = static_cast<std::size_t>(cfg.maxPostsPerRequest);
  limits.maxCalendarDays = cfg.calendarMaxDays;
  parts->store = std::make_unique<ScheduleStore>(*parts->sources, *parts->sources, ctx.base.clock,
                                                 postsPerDayFor, limits);
  // Wire requests carry real time (signature timestamps, token expiry at the platform): the
  // platform checks them against its own clock. The injected clock drives only what is due.
  parts->connectors =
      std::make_unique<connectors::ConnectorSet>(connectorOptions(cfg), SystemClock::instance());

  addRoute(ctx, http::Method::Post, "/api/v1/schedules", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply { return createSchedules(ctx, req); });
  addRoute(ctx, http::Method::Get, "/api/v1/schedules/:id", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("schedule");
             auto row = parts->store->get(ctx.base.db, *id);
             if (!row) return fromStoreError(row.error(), {});
             if (!ctx.access.canSee(req.actor, row->orgId)) return ApiError::notFound("schedule");
             return toJson(*row);
           });
  addRoute(ctx, http::Method::Patch, "/api/v1/schedules/:id", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply { return changeSchedule(ctx, *parts, req, false); });
  addRoute(ctx, http::Method::Delete, "/api/v1/schedules/:id", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply { return changeSchedule(ctx, *parts, req, true); });
  addRoute(ctx, http::Method::Delete, "/api/v1/recurrences/:id", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("recurrence");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto rows = tx.query("SELECT org_id FROM cms_recurrences WHERE id = ?", {*id});
               if (!rows) return rows.error();
               if (rows->empty() || !ctx.access.canSee(req.actor, (*rows)[0].getInt("org_id")))
                 return ApiError::notFound("recurrence");
               if (!ctx.access.can(req.actor, editors(), (*rows)[0].getInt("org_id")))
                 return ApiError::forbidden("auth.forbidden", "scheduling needs the editor role here");
               auto n = parts->store->cancelRecurrence(tx, *id);
               if (!n) return n.error();
               Status audited = ctx.audit.record(tx, req.actor, "recurrence.cancel", "recurrence",
                                                 std::to_string(*id), nullptr, Json{{"canceled", *n}});
               if (!audited) return audited.error();
               return Json{{"canceled", *n}};
             });
           });
  addRoute(ctx, http::Method::Get, "/api/v1/content/:id/targets", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply { return itemTargets(ctx, *parts, req); });
  addRoute(ctx, http::Method::Get, "/api/v1/calendar", Guard::Signed,
           [&ctx, parts](CmsRequest& req) -> Reply { return calendar(ctx, *parts, req); });

  if (!cfg.enabled) return;
  parts->scheduler = std::make_unique<Scheduler>(ctx.base.db, *parts->sources, *parts->sources,
                                                 *parts->connectors, &ctx.base.bus, ctx.base.clock,
                                                 schedulerOptions(cfg, ctx.base.db.backend() == "sqlite"));
  if (auto r = parts->scheduler->recoverAtStart(); !r)
    logger()->error("recovering interrupted publishes failed: {}", r.error().message);
  (void)parts->scheduler->start();
  ctx.onStop([parts] { parts->scheduler->stop(); });
}

}  // namespace hub::cms::schedule
