// cms/org/org_routes.h
//
// /api/v1/orgs: read the tree (an org, its children, its subtree) for anyone with a role on it;
// create, rename, move and delete for admins of the parent's subtree; CSV import for admins of
// the whole tree.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::org {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::org
