// cms/accounts/account_csv.cpp
//
// Plan first (validate every row, compare with what is stored), then apply the plan.
#include "cms/accounts/account_csv.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "cms/accounts/account_store.h"
#include "cms/accounts/csv.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/org/org_tree.h"
#include "core/util/strings.h"

namespace hub::cms::accounts {
namespace {

using auth::Role;

struct PlannedRow {
  std::size_t line = 0;
  Account account;  // id 0: to create
  std::optional<Account> before;
  std::vector<std::string> groups;
  bool groupsGiven = false;
};

struct Plan {
  std::vector<PlannedRow> create, update;
  std::size_t unchanged = 0;
  std::map<std::string, std::string> errors;  // "line N: field" -> message
};

std::vector<std::string> splitGroups(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    std::string name(trimSpace(s.substr(start, end - start)));
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    start = end + 1;
  }
  return out;
}

Result<std::vector<std::string>> groupNames(sql::Executor& db, const std::vector<std::int64_t>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) {
    auto g = getGroup(db, id);
    if (!g) return g.error();
    if (*g) out.push_back((*g)->name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Plan> makePlan(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor, std::string_view text) {
  Plan plan;
  auto rows = parseCsv(text, 20000);
  if (!rows) {
    plan.errors["csv"] = rows.error().message;
    return plan;
  }
  if (rows->empty()) {
    plan.errors["csv"] = "no header row";
    return plan;
  }
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < (*rows)[0].fields.size(); ++i)
    col[std::string(trimSpace((*rows)[0].fields[i]))] = i;
  for (const char* required : {"platform", "name", "org_id"})
    if (!col.count(required)) plan.errors["csv"] = std::string("header lacks the column ") + required;
  if (!plan.errors.empty()) return plan;

  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    auto field = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= row.fields.size()) return "";
      return std::string(trimSpace(row.fields[it->second]));
    };
    const std::string at = "line " + std::to_string(row.line) + ": ";
    PlannedRow p;
    p.line = row.line;
    auto platform = parsePlatform(field("platform"));
    if (!platform) plan.errors[at + "platform"] = "unknown platform \"" + field("platform") + "\"";
    const std::string name = field("name");
    if (name.empty() || !utf8Length(name) || *utf8Length(name) > 200)
      plan.errors[at + "name"] = "required, at most 200 characters";
    std::int64_t orgId = 0;
    const std::string org = field("org_id");
    auto [ptr, ec] = std::from_chars(org.data(), org.data() + org.size(), orgId);
    if (ec != std::errc() || ptr != org.data() + org.size() || !ctx.orgs.exists(orgId))
      plan.errors[at + "org_id"] = "no organisation \"" + org + "\"";
    else if (!ctx.access.can(actor, {Role::Editor}, orgId))
      plan.errors[at + "org_id"] = "you may not manage accounts of organisation " + org;
    std::string status = field("status");
    if (status.empty()) status = "active";
    if (!validStatus(status)) plan.errors[at + "status"] = "one of active, disabled, suspended, archived";
    if (col.count("groups")) {
      p.groupsGiven = true;
      p.groups = splitGroups(field("groups"));
      std::sort(p.groups.begin(), p.groups.end());
    }
    if (!platform || plan.errors.count(at + "name")) continue;
    if (!seen.insert({std::string(platformName(*platform)), name}).second) {
      plan.errors[at + "name"] = "this platform and name appear twice in the file";
      continue;
    }
    auto existing = findAccount(db, *platform, name);
    if (!existing) return existing.error();
    if (*existing && !ctx.access.can(actor, {Role::Editor}, (*existing)->orgId)) {
      plan.errors[at + "name"] = "an account with this platform and name belongs to another organisation";
      continue;
    }
    if (plan.errors.count(at + "org_id") || plan.errors.count(at + "status")) continue;
    if (*existing) {
      p.before = **existing;
      p.account = **existing;
    }
    p.account.platform = *platform;
    p.account.name = name;
    p.account.orgId = orgId;
    p.account.status = status;
    if (!*existing) {
      plan.create.push_back(std::move(p));
      continue;
    }
    bool changed = p.account.orgId != p.before->orgId || p.account.status != p.before->status;
    if (p.groupsGiven) {
      auto names = groupNames(db, p.before->groupIds);
      if (!names) return names.error();
      changed = changed || *names != p.groups;
    }
    if (changed)
      plan.update.push_back(std::move(p));
    else
      ++plan.unchanged;
  }
  return plan;
}

Json rowJson(const PlannedRow& p) {
  Json j{{"line", p.line},
         {"platform", platformName(p.account.platform)},
         {"name", p.account.name},
         {"org_id", p.account.orgId},
         {"status", p.account.status}};
  if (p.groupsGiven) j["groups"] = p.groups;
  if (p.before) {
    j["id"] = p.before->id;
    Json changes = Json::object();
    if (p.before->orgId != p.account.orgId)
      changes["org_id"] = {{"from", p.before->orgId}, {"to", p.account.orgId}};
    if (p.before->status != p.account.status)
      changes["status"] = {{"from", p.before->status}, {"to", p.account.status}};
    if (p.groupsGiven) changes["groups"] = {{"to", p.groups}};
    j["changes"] = changes;
  }
  return j;
}

// Group ids for names in the account's org, creating missing groups.
Result<std::vector<std::int64_t>> resolveGroups(sql::Executor& tx, std::int64_t orgId,
                                                const std::vector<std::string>& names, std::int64_t now) {
  std::vector<std::int64_t> ids;
  for (const auto& n : names) {
    auto g = findGroup(tx, orgId, n);
    if (!g) return g.error();
    if (*g) {
      ids.push_back((*g)->id);
      continue;
    }
    Group fresh;
    fresh.orgId = orgId;
    fresh.name = n;
    auto id = insertGroup(tx, fresh, now);
    if (!id) return id.error();
    ids.push_back(*id);
  }
  return ids;
}

// Replaces the account's memberships with `groupIds`.
Status setAccountGroups(sql::Executor& tx, std::int64_t accountId,
                        const std::vector<std::int64_t>& groupIds) {
  if (auto r = tx.exec("DELETE FROM cms_account_group_members WHERE account_id = ?", {accountId}); !r)
    return r.error();
  for (auto g : groupIds)
    if (auto r = tx.exec("INSERT INTO cms_account_group_members (group_id, account_id) VALUES (?, ?)",
                         {g, accountId});
        !r)
      return r.error();
  return {};
}

}  // namespace

void addCsvRoutes(CmsContext& ctx) {
  addRoute(
      ctx, http::Method::Post, "/api/v1/accounts/import", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        const bool apply = req.query("apply").value_or("") == "true";
        return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto plan = makePlan(ctx, tx, req.actor, req.http.body);
          if (!plan) return plan.error();
          Json create = Json::array(), update = Json::array();
          for (const auto& p : plan->create) create.push_back(rowJson(p));
          for (const auto& p : plan->update) update.push_back(rowJson(p));
          if (!plan->errors.empty())
            return ApiError::validation(plan->errors, "the file has bad rows; nothing was applied");
          Json out{
              {"create", create}, {"update", update}, {"unchanged", plan->unchanged}, {"applied", false}};
          if (!apply) return out;
          const auto now = nowSeconds(ctx.base.clock);
          for (auto& p : plan->create) {
            auto id = insertAccount(tx, p.account, now);
            if (!id) return id.error();
            p.account.id = *id;
          }
          for (const auto& p : plan->update)
            if (auto st = updateAccount(tx, p.account, now); !st) return st.error();
          for (auto* list : {&plan->create, &plan->update})
            for (const auto& p : *list) {
              if (!p.groupsGiven) continue;
              auto ids = resolveGroups(tx, p.account.orgId, p.groups, now);
              if (!ids) return ids.error();
              if (auto st = setAccountGroups(tx, p.account.id, *ids); !st) return st.error();
            }
          out["applied"] = true;
          if (auto st = ctx.audit.record(tx, req.actor, "account.import", "account", "", nullptr,
                                         Json{{"create", create}, {"update", update}});
              !st)
            return st.error();
          return out;
        });
      },
      RouteOptions{.parseJson = false});

  addRoute(ctx, http::Method::Get, "/api/v1/accounts/export", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
             std::string csv = csvLine({"id", "platform", "name", "org_id", "status", "groups"});
             AccountQuery q;
             q.pathSql = filter.sql;
             q.pathParams = filter.params;
             q.limit = 1000;
             std::map<std::int64_t, std::string> groupNamesById;
             auto groups = listGroups(ctx.base.db, filter.sql, filter.params);
             if (!groups) return groups.error();
             for (const auto& g : *groups) groupNamesById[g.id] = g.name;
             while (true) {
               auto page = listAccounts(ctx.base.db, q);
               if (!page) return page.error();
               for (const auto& a : *page) {
                 std::string names;
                 for (auto g : a.groupIds)
                   if (auto it = groupNamesById.find(g); it != groupNamesById.end())
                     names += (names.empty() ? "" : ";") + it->second;
                 csv += csvLine({std::to_string(a.id), std::string(platformName(a.platform)), a.name,
                                 std::to_string(a.orgId), a.status, names});
               }
               if (static_cast<int>(page->size()) < q.limit) break;
               q.afterId = page->back().id;
             }
             http::Response r = http::Response::text(200, std::move(csv), "text/csv; charset=utf-8");
             r.header("Content-Disposition", "attachment; filename=\"accounts.csv\"");
             return Reply::raw(std::move(r));
           });
}

}  // namespace hub::cms::accounts
