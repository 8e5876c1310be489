// cms/schedule/schedule_posts.cpp
#include "cms/schedule/schedule_posts.h"

#include <string>

#include "cms/api/cms_context.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/content/variant_check.h"
#include "cms/live/live_store.h"
#include "cms/schedule/cms_sources.h"
#include "cms/schedule/recurrence.h"
#include "cms/workflow/workflow.h"

namespace hub::cms::schedule {

Status checkAnnouncementTime(sql::Executor& tx, std::int64_t itemId, std::int64_t dueAt) {
  auto start = live::announcedStart(tx, itemId);
  if (!start) return start.error();
  if (*start && dueAt >= **start)
    return makeError(
        "schedule.after_event_start",
        "a live event's announcement must be due before the event starts at " + formatTime(**start));
  return {};
}

Result<std::vector<ScheduleRow>> schedulePosts(CmsContext& ctx, sql::Executor& tx, const auth::Actor& actor,
                                               const NewSchedule& ns, FieldErrors& fields) {
  // Validation reads no credentials: the sources need no key here.
  CmsSources sources(nullptr, ctx.base.clock);
  StoreLimits limits;
  limits.maxOccurrences = static_cast<std::size_t>(ctx.base.config.cmsSchedule.maxPostsPerRequest);
  limits.maxCalendarDays = ctx.base.config.cmsSchedule.calendarMaxDays;
  ScheduleStore store(sources, sources, ctx.base.clock, postsPerDayFor, limits);

  auto item = sources.item(tx, ns.itemId);
  if (!item) return item.error();
  if (!ctx.access.canSee(actor, item->orgId))
    return makeError("schedule.item_not_found", "no content item " + std::to_string(ns.itemId));
  if (!ctx.access.can(actor, {auth::Role::Editor}, item->orgId))
    return makeError("auth.forbidden", "scheduling needs the editor role here");
  using workflow::State;
  auto state = workflow::parseState(item->state);
  if (!state || (*state != State::Approved && *state != State::Scheduled && *state != State::Published &&
                 *state != State::Failed && *state != State::Publishing))
    return makeError("schedule.not_approved",
                     "only approved content can be scheduled (it is " + item->state + ")");
  // Each variant must fit its account's platform.
  for (std::size_t i = 0; i < ns.accountIds.size(); ++i) {
    auto check = content::checkVariantFor(tx, ns.itemId, ns.accountIds[i]);
    if (!check) {
      if (check.error().code == "accounts.not_found") continue;  // reported by create() below
      return check.error();
    }
    for (const auto& [field, msg] : *check) fields["account_ids[" + std::to_string(i) + "]." + field] = msg;
  }
  auto mayPublish = [&](std::int64_t orgId) { return ctx.access.can(actor, {auth::Role::Editor}, orgId); };
  auto rows = store.create(tx, actor.userId, ns, mayPublish, fields);
  if (!rows) return rows.error();
  if (!fields.empty()) return makeError("validation", "the schedule is not valid");
  for (const auto& row : *rows)
    if (Status st = checkAnnouncementTime(tx, ns.itemId, row.dueAt); !st) {
      for (std::size_t i = 0; i < ns.times.size(); ++i)
        if (ns.times[i] == row.dueAt) fields["times[" + std::to_string(i) + "]"] = st.error().message;
      if (fields.empty()) fields["recurrence"] = st.error().message;
      return st.error();
    }
  if (*state != State::Scheduled && *state != State::Publishing) {
    if (Status st =
            workflow::transition(tx, actor, ns.itemId, *state, State::Scheduled, "scheduled", ctx.base.clock);
        !st)
      return st.error();
  }
  Json after = {{"item_id", ns.itemId}, {"account_ids", ns.accountIds}, {"count", rows->size()}};
  if (ns.recurrence) after["recurrence"] = recurrenceJson(*ns.recurrence);
  if (Status st = ctx.audit.record(tx, actor, "schedule.create", "content", std::to_string(ns.itemId),
                                   nullptr, after);
      !st)
    return st.error();
  return rows;
}

}  // namespace hub::cms::schedule
