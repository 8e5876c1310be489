// cms/analytics/account_analytics.cpp
#include "cms/analytics/account_analytics.h"

#include <map>
#include <optional>
#include <string>

#include "cms/analytics/analytics_range.h"
#include "cms/api/calendar_day.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/auth/access.h"
#include "cms/org/org_tree.h"

namespace hub::cms::analytics {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kShanghai = 8 * 3600;

struct Counts {
  std::int64_t published = 0, failed = 0, unconfirmed = 0, waiting = 0, canceled = 0;
  void add(const std::string& state, std::int64_t n) {
    if (state == "published")
      published += n;
    else if (state == "failed")
      failed += n;
    else if (state == "unconfirmed")
      unconfirmed += n;
    else if (state == "canceled")
      canceled += n;
    else
      waiting += n;  // scheduled, publishing
  }
  Json json() const {
    return {{"published", published},
            {"failed", failed},
            {"unconfirmed", unconfirmed},
            {"waiting", waiting},
            {"canceled", canceled}};
  }
};

Reply accounts(CmsContext& ctx, CmsRequest& req) {
  AnalyticsRange range;
  if (auto invalid = readRange(ctx, req, range)) return *invalid;
  const std::int64_t from = range.from, to = range.to;
  const std::optional<std::int64_t> org = range.org;

  auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
  std::string where =
      " FROM cms_schedules s JOIN cms_orgs o ON o.id = s.org_id WHERE s.due_at >= ? AND "
      "s.due_at < ? AND " +
      filter.sql;
  sql::Params p{from, to};
  p.insert(p.end(), filter.params.begin(), filter.params.end());
  if (org) {
    if (!ctx.orgs.get(*org) || !ctx.access.canSee(req.actor, *org)) return ApiError::notFound("organisation");
    where += " AND o.path LIKE ?";
    p.emplace_back(ctx.orgs.pathOf(*org) + "%");
  }
  auto perAccount = ctx.base.db.query(
      "SELECT s.account_id, MAX(s.account_name) AS name, MAX(s.platform) AS platform, s.state, COUNT(*) AS "
      "n" +
          where + " GROUP BY s.account_id, s.state",
      p);
  if (!perAccount) return perAccount.error();
  // The day a post counts on: its scheduled time's Shanghai day, as the start of that day.
  auto perDay = ctx.base.db.query("SELECT (s.due_at + " + std::to_string(kShanghai) + ") - ((s.due_at + " +
                                      std::to_string(kShanghai) + ") % " + std::to_string(kDay) +
                                      ") AS day, s.state, COUNT(*) AS n" + where +
                                      " AND s.state IN ('published', 'failed') GROUP BY day, s.state",
                                  p);
  if (!perDay) return perDay.error();

  struct Account {
    std::string name, platform;
    Counts counts;
  };
  std::map<std::int64_t, Account> byAccount;
  Counts total;
  for (const auto& r : *perAccount) {
    auto& a = byAccount[r.getInt("account_id")];
    a.name = r.getString("name");
    a.platform = r.getString("platform");
    a.counts.add(r.getString("state"), r.getInt("n"));
    total.add(r.getString("state"), r.getInt("n"));
  }
  Json accounts = Json::array();
  for (const auto& [id, a] : byAccount) {
    Json j = a.counts.json();
    j["account_id"] = id;
    j["account_name"] = a.name;
    j["platform"] = a.platform;
    accounts.push_back(std::move(j));
  }
  // Every day of the range, zeros included, so a chart's axis has no holes.
  std::map<std::int64_t, Counts> byDay;
  for (std::int64_t d = shanghaiDay(from); d <= shanghaiDay(to - 1); ++d) byDay[d];
  for (const auto& r : *perDay) byDay[r.getInt("day") / kDay].add(r.getString("state"), r.getInt("n"));
  Json days = Json::array();
  for (const auto& [d, c] : byDay)
    days.push_back({{"day", formatCivilDay(d)}, {"published", c.published}, {"failed", c.failed}});
  return Json{
      {"accounts", accounts}, {"days", days}, {"totals", total.json()}, {"time_zone", "Asia/Shanghai"}};
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/analytics/accounts", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply { return accounts(ctx, req); });
}

}  // namespace hub::cms::analytics
