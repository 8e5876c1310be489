// cms/analytics/live_analytics.h
//
// The studio's live-event analytics, for events whose scheduled start is in the range and whose
// organisation the user can see with any role (another city's events: absent / 404):
//   GET /api/v1/analytics/live-events?from=&to=&org=  each event's peak concurrent viewers,
//       plays and watch time (media's playback sessions, core's Streams::playback over the bus),
//       likes and chat messages (the chat activity the CMS stores per minute), and totals;
//   GET /api/v1/analytics/live-events/:id  the same figures for one event, its live sessions,
//       viewers over time (the most per minute in media's health history) and likes and
//       messages per minute, from 30 minutes before the earlier of its scheduled start and its
//       first live session.
// Media not answering: 503 live.media_unavailable.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::analytics {

void addLiveRoutes(CmsContext& ctx);

}  // namespace hub::cms::analytics
