// cms/schedule/cms_sources.cpp
#include "cms/schedule/cms_sources.h"

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
  auto i = content::getItem(db, itemId);
  if (!i) return i.error();
  if (!*i) return makeError("schedule.item_not_found", "no content item " + std::to_string(itemId));
  nlohmann::json v = {
      {"item_id", itemId}, {"type", (*i)->type}, {"title", (*i)->title}, {"body", (*i)->bodyHtml}};
  if ((*i)->coverMediaId) v["cover_media_id"] = *(*i)->coverMediaId;
  auto variants = content::listVariants(db, itemId);
  if (!variants) return variants.error();
  for (const auto& var : *variants) {
    if (var.accountId != accountId) continue;
    if (!var.title.empty()) v["title"] = var.title;
    v["body"] = var.body;
    if (var.coverMediaId) v["cover_media_id"] = *var.coverMediaId;
    v["image_ids"] = var.imageIds;
    if (var.videoId) v["video_media_id"] = *var.videoId;
  }
  return v;
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
