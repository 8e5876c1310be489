// cms/schedule/cms_sources.h
//
// The real AccountSource and ContentSource: accounts from cms/accounts (settings with the
// credentials unsealed for the connectors, never logged), items and their per-account
// variants from cms/content. The variant sent is the account's own when there is one, else the
// item's title and rendered HTML. The item's own state follows its targets (item_state.h).
#pragma once

#include <memory>
#include <optional>

#include "cms/accounts/credential_box.h"
#include "cms/schedule/sources.h"
#include "core/util/clock.h"

namespace hub::cms::schedule {

class CmsSources final : public AccountSource, public ContentSource {
 public:
  // `box` is null when no credentials key could be loaded: accounts then have no credentials.
  // `clock` stamps the item's state transitions (the scheduler's clock).
  CmsSources(std::shared_ptr<const accounts::CredentialBox> box, const Clock& clock)
      : box_(std::move(box)), clock_(clock) {}

  Result<AccountInfo> account(sql::Executor& db, std::int64_t accountId) override;
  // Three statements for any number of accounts: the accounts, their groups, their credentials.
  Result<std::map<std::int64_t, Result<AccountInfo>>> accountsMany(
      sql::Executor& db, const std::vector<std::int64_t>& ids) override;
  Result<ItemInfo> item(sql::Executor& db, std::int64_t itemId) override;
  Result<nlohmann::json> variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) override;
  // Two statements for any number of targets: the items, then their variants.
  Result<std::map<Target, Result<nlohmann::json>>> variantsMany(sql::Executor& db,
                                                                const std::vector<Target>& targets) override;
  Status targetsChanged(sql::Executor& tx, std::int64_t itemId, std::string_view why) override;
  Status targetsChangedMany(sql::Executor& tx, const std::map<std::int64_t, std::string>& whyByItem) override;

 private:
  std::shared_ptr<const accounts::CredentialBox> box_;
  const Clock& clock_;
};

// Posts per account and Shanghai day from cms/accounts/platform_limits.h.
int postsPerDayFor(const AccountInfo& account);

}  // namespace hub::cms::schedule
