// cms/accounts/account_routes.h
//
// /api/v1/accounts and /api/v1/account-groups: CRUD, credentials (write-only), the platform
// limits table, CSV import (preview, then apply) and export. Read needs any role on the
// account's organisation (else 404); writes need Editor there (else 403).
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::accounts {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::accounts
