// cms/live/live_routes.h
//
// Live events under /api/v1/live-events (see docs/cms.md): create (which creates the event's
// media stream, hence its chat room, through core's Streams interface), list, read, the
// ingest (RTMP server URL and key) for hosts, key rotation, restream targets from accounts'
// live-push addresses. Also starts the LiveFollower that moves each event's state with its
// stream.
#pragma once

#include <vector>

#include "cms/api/cms_context.h"
#include "core/sql/migration.h"

namespace hub::cms::live {

std::vector<sql::Migration> migrations();  // component "cms.live" (live_store.cpp)
void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::live
