// cms/schedule/sources.h
//
// What scheduling needs to know about accounts and content, owned by cms/accounts and
// cms/content: an account's organisation, platform and (decrypted) settings, an item's
// organisation and state, and the variant of an item for one account. Small interfaces, so
// the scheduler and its tests do not depend on how those modules store things; the CMS
// service wires the real ones (content_sources.h). All calls block (SQL) and take the
// executor to run in, so a claim reads them in its own transaction.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sql/executor.h"
#include "core/util/result.h"

namespace hub::cms::schedule {

struct AccountInfo {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string name;
  std::string platform;  // "wechat_oa", "weibo", ... (cms/accounts/platform_limits.h spelling)
  std::string kind;      // e.g. "subscription" / "service" for WeChat; may be empty
  bool active = true;
  nlohmann::json settings = nlohmann::json::object();  // with credentials decrypted
};

struct ItemInfo {
  std::int64_t id = 0;
  std::int64_t orgId = 0;
  std::string title;
  std::string state;  // the workflow state ("approved", "scheduled", ...)
};

class AccountSource {
 public:
  virtual ~AccountSource() = default;
  // "schedule.account_not_found" when there is none.
  virtual Result<AccountInfo> account(sql::Executor& db, std::int64_t accountId) = 0;
  // Several accounts at once (the scheduler refreshes its cache of them in one read), each as
  // account() answers it. Fails as a whole only when the reading does. Default: one account()
  // per id.
  virtual Result<std::map<std::int64_t, Result<AccountInfo>>> accountsMany(
      sql::Executor& db, const std::vector<std::int64_t>& ids) {
    std::map<std::int64_t, Result<AccountInfo>> out;
    for (std::int64_t id : ids) out.emplace(id, account(db, id));
    return out;
  }
};

class ContentSource {
 public:
  virtual ~ContentSource() = default;
  // "schedule.item_not_found" when there is none.
  virtual Result<ItemInfo> item(sql::Executor& db, std::int64_t itemId) = 0;
  // The variant to send to this account, as the connectors take it (connector.h); the item's
  // default when it has no variant for the account.
  virtual Result<nlohmann::json> variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) = 0;
  // The variants of several (item, account) targets at once, each as variant() answers it (a
  // claim reads them all in a few statements). Fails as a whole only when the reading does.
  // Default: one variant() per target.
  using Target = std::pair<std::int64_t, std::int64_t>;
  virtual Result<std::map<Target, Result<nlohmann::json>>> variantsMany(sql::Executor& db,
                                                                        const std::vector<Target>& targets) {
    std::map<Target, Result<nlohmann::json>> out;
    for (const auto& t : targets) out.emplace(t, variant(db, t.first, t.second));
    return out;
  }
  // One of the item's schedule rows changed state, in this transaction: the item's own state
  // follows its targets (item_state.h). `why` is for the transition log. Default: nothing.
  virtual Status targetsChanged(sql::Executor& tx, std::int64_t itemId, std::string_view why) {
    (void)tx;
    (void)itemId;
    (void)why;
    return {};
  }
  // The same for several items at once (item id -> why), in this transaction. Default: one
  // targetsChanged() per item, in id order.
  virtual Status targetsChangedMany(sql::Executor& tx, const std::map<std::int64_t, std::string>& whyByItem) {
    for (const auto& [item, why] : whyByItem)
      if (Status st = targetsChanged(tx, item, why); !st) return st;
    return {};
  }
};

}  // namespace hub::cms::schedule
