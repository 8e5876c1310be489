// cms/challenge/challenge_cache.cpp
//
// The challenges' cache of the step submissions.
#include "cms/challenge/challenge_cache.h"

namespace hub::cms::challenge {

Result<std::shared_ptr<const Challenge>> ChallengeCache::get(sql::Executor& db, std::int64_t id) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
    generation = generation_;
  }
  auto got = getChallenge(db, id);
  if (!got) return got.error();
  if (!*got) return std::shared_ptr<const Challenge>();
  auto c = std::make_shared<const Challenge>(std::move(**got));
  std::lock_guard lock(mu_);
  if (generation == generation_) cache_.insert_or_assign(id, c);  // else changed meanwhile: maybe old
  return c;
}

void ChallengeCache::forgetAll() {
  std::lock_guard lock(mu_);
  ++generation_;
  cache_.clear();
}

}  // namespace hub::cms::challenge
