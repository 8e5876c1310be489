// cms/accounts/account_csv.h
//
// CSV import and export of accounts. Import keys rows by (platform, name): a new pair creates
// an account, a known one updates its organisation, status and groups (by name, in the
// account's organisation, created when missing). POST /api/v1/accounts/import previews what
// would be created and changed; with ?apply=true it applies all of it in one transaction, or
// nothing when any row is bad (422 with "line N: field" messages). Credentials are never in
// CSV. GET /api/v1/accounts/export gives the accounts the caller can see.
//
// Columns (header row, any order): platform, name, org_id, status (optional, default active),
// groups (optional, names separated by ';'). An id column is ignored.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::accounts {

void addCsvRoutes(CmsContext& ctx);

}  // namespace hub::cms::accounts
