// cms/audit/audit_routes.h
//
// GET /api/v1/audit: the audit log for admins of the whole tree, newest first, filtered by
// actor, action, object type/id and time range, paged by id.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::audit {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::audit
