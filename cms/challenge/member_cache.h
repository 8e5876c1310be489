// cms/challenge/member_cache.h
//
// Members by number (member_no -> id, name, grassroots organisation) kept in memory for the step
// submissions' group commit, so a batch reads only the members it has not seen before (one
// `IN` list of the misses, padded to a fixed width). Members change only through the import
// (member_import.h), which bumps the hub_changes topic kTopic after each batch it writes; every
// node's change watcher then calls forgetAll() (core/sql/change_feed.h, 250 ms polls). A lookup
// that read SQL before a forgetAll() caches nothing (generation), so a stale row never outlives
// the poll that follows the import's commit. Unknown numbers are not cached. At kMaxEntries the
// cache starts over (about 100 bytes per member). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/sql/executor.h"

namespace hub::cms::challenge {

struct Member {
  std::int64_t id = 0;
  std::string memberNo, name;
  std::int64_t orgId = 0;
};

class MemberCache {
 public:
  static constexpr const char* kTopic = "cms.challenge.members";  // bumped by the import
  static constexpr std::size_t kMaxEntries = 2'000'000;

  // The members among `numbers` (unknown ones are absent), from memory, the rest from `db`.
  Result<std::map<std::string, Member>> lookup(sql::Executor& db, const std::vector<std::string>& numbers);
  void forgetAll();
  std::size_t size();

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Member> cache_;
  std::uint64_t generation_ = 0;
};

}  // namespace hub::cms::challenge
