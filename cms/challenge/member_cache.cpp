// cms/challenge/member_cache.cpp
//
// The members' cache of the step submissions.
#include "cms/challenge/member_cache.h"

#include "cms/challenge/statement_widths.h"

namespace hub::cms::challenge {

Result<std::map<std::string, Member>> MemberCache::lookup(sql::Executor& db,
                                                          const std::vector<std::string>& numbers) {
  std::map<std::string, Member> out;
  std::vector<std::string> missing;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
    for (const auto& no : numbers) {
      if (auto it = cache_.find(no); it != cache_.end())
        out.emplace(no, it->second);
      else
        missing.push_back(no);
    }
  }
  if (missing.empty()) return out;
  // Padded with the first number again: the same few statement texts, whatever the batch.
  const std::size_t width = paddedWidth(missing.size());
  std::string sql = "SELECT id, member_no, name, org_id FROM cms_members WHERE member_no IN (";
  sql::Params params;
  params.reserve(width);
  for (std::size_t i = 0; i < width; ++i) {
    sql += i ? ",?" : "?";
    params.emplace_back(i < missing.size() ? missing[i] : missing[0]);
  }
  auto rows = db.query(sql + ")", params);
  if (!rows) return rows.error().wrap("members");
  std::vector<Member> found;
  found.reserve(rows->size());
  for (const auto& r : *rows) {
    found.push_back(
        Member{r.getInt("id"), r.getString("member_no"), r.getString("name"), r.getInt("org_id")});
    out.emplace(found.back().memberNo, found.back());
  }
  std::lock_guard lock(mu_);
  if (generation != generation_) return out;  // an import moved meanwhile: what was read may be old
  if (cache_.size() + found.size() > kMaxEntries) cache_.clear();
  for (auto& m : found) cache_.insert_or_assign(m.memberNo, std::move(m));
  return out;
}

void MemberCache::forgetAll() {
  std::lock_guard lock(mu_);
  ++generation_;
  cache_.clear();
}

std::size_t MemberCache::size() {
  std::lock_guard lock(mu_);
  return cache_.size();
}

}  // namespace hub::cms::challenge
