// cms/analytics/analytics_range.h
//
// The query every analytics route takes: ?from=&to= (RFC 3339 with an offset, required, `to`
// after `from`, at most [cms_schedule] calendar_max_days apart) and an optional ?org= (an id).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "cms/api/cms_context.h"
#include "cms/api/routes.h"

namespace hub::cms::analytics {

struct AnalyticsRange {
  std::int64_t from = 0, to = 0;  // UTC epoch seconds, [from, to)
  std::optional<std::int64_t> org;
};

// Fills `range`; the 422 naming each bad field, or nothing when the query is good.
std::optional<ApiError> readRange(CmsContext& ctx, CmsRequest& req, AnalyticsRange& range);

}  // namespace hub::cms::analytics
