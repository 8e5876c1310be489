// cms/challenge/challenge_routes.h
//
// The walking challenges' HTTP API (issue 7; docs/challenges.md, docs/api/openapi.yaml):
// challenges and app credentials (admin), step submissions (app credential), held reports,
// leaderboards and the member page (signed link or CMS user), rebuild, export and statistics.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::challenge {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::challenge
