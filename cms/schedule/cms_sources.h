// cms/schedule/cms_sources.h
//
// The real AccountSource and ContentSource: accounts from cms/accounts (settings with the
// credentials unsealed for the connectors, never logged), items and their per-account
// variants from cms/content. The variant sent is the account's own when there is one, else the
// item's title and rendered HTML.
#pragma once

#include <memory>
#include <optional>

#include "cms/accounts/credential_box.h"
#include "cms/schedule/sources.h"

namespace hub::cms::schedule {

class CmsSources final : public AccountSource, public ContentSource {
 public:
  // `box` is null when no credentials key could be loaded: accounts then have no credentials.
  explicit CmsSources(std::shared_ptr<const accounts::CredentialBox> box) : box_(std::move(box)) {}

  Result<AccountInfo> account(sql::Executor& db, std::int64_t accountId) override;
  Result<ItemInfo> item(sql::Executor& db, std::int64_t itemId) override;
  Result<nlohmann::json> variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) override;

 private:
  std::shared_ptr<const accounts::CredentialBox> box_;
};

// Posts per account and Shanghai day from cms/accounts/platform_limits.h.
int postsPerDayFor(const AccountInfo& account);

}  // namespace hub::cms::schedule
