// cms/schedule/cms_sources.cpp
#include "cms/schedule/cms_sources.h"

#include <set>

#include "cms/accounts/account_store.h"
#include "cms/accounts/platform_limits.h"
#include "cms/content/content_store.h"
#include "cms/schedule/item_state.h"
#include "core/sql/marks.h"

namespace hub::cms::schedule {

namespace {

// The connectors' view of an account: its settings with the unsealed credentials over them.
Result<AccountInfo> accountInfo(const accounts::Account& a, const Result<nlohmann::json>* creds) {
  AccountInfo out;
  out.id = a.id;
  out.orgId = a.orgId;
  out.name = a.name;
  out.platform = std::string(accounts::platformName(a.platform));
  out.active = a.status == "active";
  out.settings = a.settings.is_object() ? a.settings : nlohmann::json::object();
  out.kind = out.settings.value("kind", "");
  if (!creds) return out;
  if (!*creds) return creds->error().wrap("account " + std::to_string(a.id) + " credentials");
  if ((*creds)->is_object())
    for (const auto& [k, v] : (*creds)->items()) out.settings[k] = v;
  return out;
}

}  // namespace

Result<AccountInfo> CmsSources::account(sql::Executor& db, std::int64_t accountId) {
  auto a = accounts::getAccount(db, accountId);
  if (!a) return a.error();
  if (!*a) return makeError("schedule.account_not_found", "no account " + std::to_string(accountId));
  if (!(*a)->credentialsSet || !box_) return accountInfo(**a, nullptr);
  Result<nlohmann::json> creds = accounts::openCredentials(db, *box_, accountId);
  return accountInfo(**a, &creds);
}

Result<std::map<std::int64_t, Result<AccountInfo>>> CmsSources::accountsMany(
    sql::Executor& db, const std::vector<std::int64_t>& ids) {
  auto found = accounts::getAccounts(db, ids);
  if (!found) return found.error();
  std::vector<std::int64_t> sealed;
  for (const auto& a : *found)
    if (a.credentialsSet && box_) sealed.push_back(a.id);
  std::map<std::int64_t, Result<nlohmann::json>> creds;
  if (!sealed.empty()) {
    auto opened = accounts::openCredentialsOf(db, *box_, sealed);
    if (!opened) return opened.error();
    creds = std::move(*opened);
  }
  std::map<std::int64_t, Result<AccountInfo>> out;
  for (std::int64_t id : ids)
    out.emplace(id, makeError("schedule.account_not_found", "no account " + std::to_string(id)));
  for (const auto& a : *found) {
    auto c = creds.find(a.id);
    out.insert_or_assign(a.id, accountInfo(a, c == creds.end() ? nullptr : &c->second));
  }
  return out;
}

Result<ItemInfo> CmsSources::item(sql::Executor& db, std::int64_t itemId) {
  auto i = content::getItem(db, itemId);
  if (!i) return i.error();
  if (!*i) return makeError("schedule.item_not_found", "no content item " + std::to_string(itemId));
  return ItemInfo{.id = (*i)->id, .orgId = (*i)->orgId, .title = (*i)->title, .state = (*i)->state};
}

namespace {

// What a connector is sent for one account: the item's title and HTML, the account's own
// variant over them when it has one.
nlohmann::json variantJson(std::int64_t itemId, const std::string& type, const std::string& title,
                           const std::string& bodyHtml, std::optional<std::int64_t> cover,
                           const content::Variant* own) {
  nlohmann::json v = {{"item_id", itemId}, {"type", type}, {"title", title}, {"body", bodyHtml}};
  if (cover) v["cover_media_id"] = *cover;
  if (!own) return v;
  if (!own->title.empty()) v["title"] = own->title;
  v["body"] = own->body;
  if (own->coverMediaId) v["cover_media_id"] = *own->coverMediaId;
  v["image_ids"] = own->imageIds;
  if (own->videoId) v["video_media_id"] = *own->videoId;
  return v;
}

const content::Variant* variantOf(const std::vector<content::Variant>& variants, std::int64_t accountId) {
  for (const auto& var : variants)
    if (var.accountId == accountId) return &var;
  return nullptr;
}

}  // namespace

Result<nlohmann::json> CmsSources::variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) {
  auto i = content::getItem(db, itemId);
  if (!i) return i.error();
  if (!*i) return makeError("schedule.item_not_found", "no content item " + std::to_string(itemId));
  auto variants = content::listVariants(db, itemId);
  if (!variants) return variants.error();
  return variantJson(itemId, (*i)->type, (*i)->title, (*i)->bodyHtml, (*i)->coverMediaId,
                     variantOf(*variants, accountId));
}

Result<std::map<ContentSource::Target, Result<nlohmann::json>>> CmsSources::variantsMany(
    sql::Executor& db, const std::vector<Target>& targets) {
  std::map<Target, Result<nlohmann::json>> out;
  if (targets.empty()) return out;
  std::set<std::int64_t> unique;
  for (const auto& t : targets) unique.insert(t.first);
  const std::vector<std::int64_t> ids(unique.begin(), unique.end());
  sql::Params p(ids.begin(), ids.end());
  auto items = db.query("SELECT id, type, title, body_html, cover_media_id FROM cms_content WHERE id IN (" +
                            sql::marks(p.size()) + ")",
                        p);
  if (!items) return items.error().wrap("content");
  auto variants = content::listVariantsOf(db, ids);
  if (!variants) return variants.error();
  std::map<std::int64_t, const sql::Row*> byId;
  for (const auto& r : *items) byId.emplace(r.getInt("id"), &r);
  const std::vector<content::Variant> none;
  for (const auto& t : targets) {
    auto it = byId.find(t.first);
    if (it == byId.end()) {
      out.emplace(t, makeError("schedule.item_not_found", "no content item " + std::to_string(t.first)));
      continue;
    }
    const sql::Row& r = *it->second;
    auto own = variants->find(t.first);
    std::optional<std::int64_t> cover;
    if (!r.isNull("cover_media_id")) cover = r.getInt("cover_media_id");
    out.emplace(t, variantJson(t.first, r.getString("type"), r.getString("title"), r.getString("body_html"),
                               cover, variantOf(own == variants->end() ? none : own->second, t.second)));
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
