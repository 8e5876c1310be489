// cms/schedule/schedule_posts.h
//
// Scheduling from C++ (what POST /api/v1/schedules does after parsing): one approved content
// item to many accounts at many times, optionally recurring, on behalf of `actor`, inside the
// caller's transaction. Checks, in this order: the item exists and the actor sees it
// ("schedule.item_not_found"), the actor is an editor of its organisation ("auth.forbidden"),
// the item is approved or already in a publishing state ("schedule.not_approved"), each
// account's variant fits its platform and each account/time is valid ("validation" with
// `fields` filled, keys like "account_ids[0].cover" and "times[1]"), and a live event's
// announcement is due before the event starts ("schedule.after_event_start", `fields` naming
// the times). Then inserts the rows,
// moves the item to scheduled (workflow transition) and audits "schedule.create", all in `tx`.
// Live events schedule their announcement posts through this.
#pragma once

#include <cstdint>
#include <vector>

#include "cms/schedule/schedule_store.h"
#include "core/sql/executor.h"
#include "core/util/result.h"

namespace hub::cms {
struct CmsContext;
namespace auth {
struct Actor;
}
}  // namespace hub::cms

namespace hub::cms::schedule {

// "schedule.after_event_start" when `itemId` announces a live event starting at or before `dueAt`.
Status checkAnnouncementTime(sql::Executor& tx, std::int64_t itemId, std::int64_t dueAt);

Result<std::vector<ScheduleRow>> schedulePosts(CmsContext& ctx, sql::Executor& tx, const auth::Actor& actor,
                                               const NewSchedule& request, FieldErrors& fields);

}  // namespace hub::cms::schedule
