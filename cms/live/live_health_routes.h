// cms/live/live_health_routes.h
//
// The studio's live control room routes for one live event (docs/api/openapi.yaml):
//   GET  /api/v1/live-events/:id/health?since=MS  media's stored health samples since MS (default
//        the last hour), oldest first: bitrate, fps, key-frame interval, viewers; and the restream
//        targets (account ids, masked URLs) with their states from the newest sample; the room's
//        chat messages and likes per minute (live_activity.h)
//   POST /api/v1/live-events/:id/end              Host: ends the broadcast (rotates the key, which
//        disconnects the publisher); audited "live.end"
//   POST /api/v1/live-events/:id/hold             Host: a rehearsal: only preview tokens (the
//        event's chat token) play the stream, the public listing leaves it out; "live.hold"
//   POST /api/v1/live-events/:id/start            Host: releases it to the audience; "live.start"
//   POST /api/v1/live-events/:id/chat-token       a chat token for the event's room: role
//        moderator for Host/Moderator/Admin on the event's organisation, user otherwise; bound to
//        the room (claim "room"), so the moderator role holds in that room only
// Access: Host, Moderator or Editor (or Admin) on the event's organisation, 403 for others who
// see it, 404 for everyone else.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::live {

// Also starts the ChatActivityRecorder (stopped with the service).
void addControlRoomRoutes(CmsContext& ctx);

}  // namespace hub::cms::live
