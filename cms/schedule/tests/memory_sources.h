// cms/schedule/tests/memory_sources.h
//
// Accounts and content held in memory, for scheduler and store tests that do not need the
// accounts and content modules.
#pragma once

#include <map>
#include <mutex>

#include "cms/schedule/sources.h"

namespace hub::cms::schedule::test {

class MemorySources final : public AccountSource, public ContentSource {
 public:
  void addAccount(AccountInfo a) {
    std::lock_guard lock(mu_);
    accounts_[a.id] = std::move(a);
  }
  void addItem(ItemInfo i) {
    std::lock_guard lock(mu_);
    items_[i.id] = std::move(i);
  }
  Result<AccountInfo> account(sql::Executor&, std::int64_t id) override {
    std::lock_guard lock(mu_);
    auto it = accounts_.find(id);
    if (it == accounts_.end())
      return makeError("schedule.account_not_found", "no account " + std::to_string(id));
    return it->second;
  }
  Result<ItemInfo> item(sql::Executor&, std::int64_t id) override {
    std::lock_guard lock(mu_);
    auto it = items_.find(id);
    if (it == items_.end()) return makeError("schedule.item_not_found", "no item " + std::to_string(id));
    return it->second;
  }
  Result<nlohmann::json> variant(sql::Executor& db, std::int64_t itemId, std::int64_t accountId) override {
    auto i = item(db, itemId);
    if (!i) return i.error();
    return nlohmann::json{
        {"title", i->title}, {"body", "<p>" + i->title + "</p>"}, {"for_account", accountId}};
  }

 private:
  std::mutex mu_;
  std::map<std::int64_t, AccountInfo> accounts_;
  std::map<std::int64_t, ItemInfo> items_;
};

}  // namespace hub::cms::schedule::test
