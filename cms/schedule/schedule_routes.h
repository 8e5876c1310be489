// cms/schedule/schedule_routes.h
//
// The scheduling API and the scheduler's place in the CMS service:
//   POST   /api/v1/schedules          {"item_id","account_ids":[..],"times":["RFC 3339",..],
//                                      "recurrence":{"freq","interval","weekdays","until"|"count"}}
//   GET    /api/v1/schedules/:id
//   PATCH  /api/v1/schedules/:id      {"at":"RFC 3339"}        (move; only while scheduled)
//   DELETE /api/v1/schedules/:id                                 (cancel; only while scheduled)
//   DELETE /api/v1/recurrences/:id                               (cancel what is left of a rule)
//   GET    /api/v1/calendar?from&to&org&platform&account&group&state&limit&cursor
//   GET    /api/v1/content/:id/targets                         (the item's state and each target's)
// C++ callers (live events' announcements) schedule through schedulePosts() (schedule_posts.h).
// Access: a schedule belongs to its account's organisation; outside the caller's subtrees it
// is 404, visible but without the editor role it is 403. Mutations are audited in their own
// transaction. addRoutes() also starts the scheduler ([cms_schedule] enabled) and stops it
// through ctx.onStop.
#pragma once

#include <vector>

#include "core/sql/migration.h"

namespace hub::cms {
struct CmsContext;
}

namespace hub::cms::schedule {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::schedule
