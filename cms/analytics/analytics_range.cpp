// cms/analytics/analytics_range.cpp
#include "cms/analytics/analytics_range.h"

#include "cms/api/time.h"

namespace hub::cms::analytics {

std::optional<ApiError> readRange(CmsContext& ctx, CmsRequest& req, AnalyticsRange& range) {
  constexpr std::int64_t kDay = 86400;
  std::map<std::string, std::string> fields;
  for (const char* name : {"from", "to"}) {
    auto v = req.query(name);
    auto t = v ? parseTime(*v) : Result<std::int64_t>(makeError("time.invalid", "missing"));
    if (!t)
      fields[name] = "required: an RFC 3339 time with an offset";
    else
      (std::string_view(name) == "from" ? range.from : range.to) = *t;
  }
  const std::int64_t maxDays = ctx.base.config.cmsSchedule.calendarMaxDays;
  if (fields.empty() && range.to <= range.from) fields["to"] = "must be after from";
  if (fields.empty() && range.to - range.from > maxDays * kDay)
    fields["to"] = "the range is at most " + std::to_string(maxDays) + " days";
  if (req.query("org")) {
    range.org = req.intQuery("org", 0, 1, INT64_MAX);
    if (!range.org) fields["org"] = "must be an id";
  }
  if (!fields.empty()) return ApiError::validation(fields);
  return std::nullopt;
}

}  // namespace hub::cms::analytics
