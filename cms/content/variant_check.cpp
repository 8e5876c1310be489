// cms/content/variant_check.cpp
//
// Loads the item, its variant for the account and the media sizes, then validateVariant().
#include "cms/content/variant_check.h"

#include "cms/accounts/account_store.h"
#include "cms/content/content_store.h"
#include "cms/media_library/media_store.h"

namespace hub::cms::content {

Result<accounts::FieldErrors> checkVariantFor(sql::Executor& db, std::int64_t contentId,
                                              std::int64_t accountId) {
  auto item = getItem(db, contentId);
  if (!item) return item.error();
  if (!*item) return makeError("content.not_found", "no content item " + std::to_string(contentId));
  auto account = accounts::getAccount(db, accountId);
  if (!account) return account.error();
  if (!*account) return makeError("accounts.not_found", "no account " + std::to_string(accountId));
  auto variants = listVariants(db, contentId);
  if (!variants) return variants.error();

  accounts::Variant check;
  check.type = accounts::parseContentType((*item)->type).value_or(accounts::ContentType::Article);
  check.title = (*item)->title;
  check.body = (*item)->body;
  check.hasCover = (*item)->coverMediaId.has_value();
  for (const auto& v : *variants) {
    if (v.accountId != accountId) continue;
    check.title = v.title;
    check.body = v.body;
    check.hasCover = v.coverMediaId.has_value();
    for (auto id : v.imageIds) {
      auto m = media_library::getMedia(db, id);
      if (!m) return m.error();
      check.images.push_back(
          {.id = std::to_string(id), .bytes = *m ? static_cast<std::uint64_t>((*m)->size) : 0});
    }
    if (v.videoId) {
      auto m = media_library::getMedia(db, *v.videoId);
      if (!m) return m.error();
      check.video = accounts::VariantMedia{.id = std::to_string(*v.videoId),
                                           .bytes = *m ? static_cast<std::uint64_t>((*m)->size) : 0};
    }
  }
  return accounts::validateVariant((*account)->platform, check);
}

}  // namespace hub::cms::content
