// cms/analytics/account_analytics.h
//
// GET /api/v1/analytics/accounts?from=&to=&org=: what each account the user can see published
// in a time range (by the posts' scheduled times): published, failed, unconfirmed, waiting and
// cancelled posts per account, and published and failed per Asia/Shanghai day, for the
// studio's analytics page and its CSV export.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::analytics {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::analytics
