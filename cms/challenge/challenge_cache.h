// cms/challenge/challenge_cache.h
//
// Challenges by id kept in memory for the step submissions' group commit, so a batch does not
// read its challenge again each time. A challenge changes only through the API (edit, delete),
// which bumps the hub_changes topic kTopic in its transaction and drops this node's cache after
// the commit; every other node's change watcher calls forgetAll() at its next poll (250 ms,
// core/sql/change_feed.h), like the members' cache. A read that began before a forgetAll()
// caches nothing (generation). Unknown ids are not cached. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "cms/challenge/challenge_store.h"

namespace hub::cms::challenge {

class ChallengeCache {
 public:
  static constexpr const char* kTopic = "cms.challenge.challenges";  // bumped by an edit or a delete

  // The challenge `id` from memory, or from `db` (null when there is none).
  Result<std::shared_ptr<const Challenge>> get(sql::Executor& db, std::int64_t id);
  void forgetAll();

 private:
  std::mutex mu_;
  std::unordered_map<std::int64_t, std::shared_ptr<const Challenge>> cache_;
  std::uint64_t generation_ = 0;
};

}  // namespace hub::cms::challenge
