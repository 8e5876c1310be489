// cms/schedule/cms_sources.cpp
#include "cms/schedule/cms_sources.h"

#include <set>

#include "cms/accounts/account_store.h"
#include "cms/accounts/platform_limits.h"
#include "cms/content/content_store.h"
#include "cms/schedule/item_state.h"

namespace hub::cms::schedule {

Result<AccountInfo> CmsSources::account(sql::Executor& db, std::int64_t accountId) {
  auto a = accounts::getAccount(db, accountId);
  if (!a) return a.error();
  if (!*a) return makeError("schedule.account_not_found", "no account " + std::to_string(accountId));
  AccountInfo out;
  out.id = (*a)->id;
  out.orgId = (*a)->orgId;
  out.name = (*a)->name;
  out.platform = std::string(accounts::platformName((*a)->platform));
  out.active = (*a)->status == "active";
  out.settings = (*a)->settings.is_object() ? (*a)->settings : nlohmann::json::object();
  out.kind = out.settings.value("kind", "");
  if ((*a)->credentialsSet && box_) {
    auto creds = accounts::openCredentials(db, *box_, accountId);
    if (!creds) return creds.error().wrap("account " + std::to_string(accountId) + " credentials");
    if (creds->is_object())
      for (const auto& [k, v] : creds->items()) out.settings[k] = v;
  }
  return out;
}

Result<ItemInfo> CmsSources::item(sql::Executor& db, std::int64_t itemId) {
  auto i = content::getItem(db, itemId);
  if (!i) return i.error();
  if (!*i) return makeError("schedule.item_not_found", "no content item " + std::to_string(itemId));
  return ItemInfo{.id = (*i)->id, .orgId = (*i)->orgId, .title = (*i)->title, .state = (*i)->state};
}

Result<nlohmann::json> CmsSources::variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) {
  auto many = variantsMany(db, {{itemId, accountId}});
  if (!many) return many.error();
  return many->begin()->second;
}

Result<std::map<ContentSource::Target, Result<nlohmann::json>>> CmsSources::variantsMany(
    sql::Executor& db, const std::vector<Target>& targets) {
  std::map<Target, Result<nlohmann::json>> out;
  if (targets.empty()) return out;
  std::set<std::int64_t> ids;
  for (const auto& t : targets) ids.insert(t.first);
  std::string in;
  sql::Params p;
  for (std::int64_t id : ids) {
    in += p.empty() ? "?" : ",?";
    p.emplace_back(id);
  }
  auto items = db.query(
      "SELECT id, type, title, body_html, cover_media_id FROM cms_content WHERE id IN (" + in + ")", p);
  if (!items) return items.error().wrap("content");
  auto variants = db.query(
      "SELECT content_id, account_id, title, body, cover_media_id, image_ids, video_id FROM "
      "cms_content_variants WHERE content_id IN (" +
          in + ")",
      p);
  if (!variants) return variants.error().wrap("content variants");
  std::map<std::int64_t, nlohmann::json> defaults;  // the item's own title and HTML
  for (const auto& r : *items) {
    const std::int64_t id = r.getInt("id");
    nlohmann::json v = {{"item_id", id},
                        {"type", r.getString("type")},
                        {"title", r.getString("title")},
                        {"body", r.getString("body_html")}};
    if (!r.isNull("cover_media_id")) v["cover_media_id"] = r.getInt("cover_media_id");
    defaults.emplace(id, std::move(v));
  }
  std::map<Target, const sql::Row*> own;
  for (const auto& r : *variants) own.emplace(Target{r.getInt("content_id"), r.getInt("account_id")}, &r);
  for (const auto& t : targets) {
    auto d = defaults.find(t.first);
    if (d == defaults.end()) {
      out.emplace(t, makeError("schedule.item_not_found", "no content item " + std::to_string(t.first)));
      continue;
    }
    nlohmann::json v = d->second;
    if (auto o = own.find(t); o != own.end()) {
      const sql::Row& r = *o->second;
      if (!r.getString("title").empty()) v["title"] = r.getString("title");
      v["body"] = r.getString("body");
      if (!r.isNull("cover_media_id")) v["cover_media_id"] = r.getInt("cover_media_id");
      std::vector<std::int64_t> images;
      auto j = nlohmann::json::parse(r.getString("image_ids"), nullptr, false);
      if (j.is_array())
        for (const auto& x : j)
          if (x.is_number_integer()) images.push_back(x.get<std::int64_t>());
      v["image_ids"] = images;
      if (!r.isNull("video_id")) v["video_media_id"] = r.getInt("video_id");
    }
    out.emplace(t, std::move(v));
  }
  return out;
}

Status CmsSources::targetsChanged(sql::Executor& tx, std::int64_t itemId, std::string_view why) {
  auto moved = followTargets(tx, itemId, clock_, why);
  if (!moved) return moved.error();
  return {};
}

Status CmsSources::targetsChangedMany(sql::Executor& tx,
                                      const std::map<std::int64_t, std::string>& whyByItem) {
  auto moved = followTargetsMany(tx, whyByItem, clock_);
  if (!moved) return moved.error();
  return {};
}

int postsPerDayFor(const AccountInfo& account) {
  auto p = accounts::parsePlatform(account.platform);
  return p ? accounts::limitsFor(*p).postsPerDay : 0;
}

}  // namespace hub::cms::schedule
