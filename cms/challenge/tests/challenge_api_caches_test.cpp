// cms/challenge/tests/challenge_api_caches_test.cpp
//
// The challenges' caches through the HTTP API: a credential revoked, a member re-imported and a
// challenge edited elsewhere (in SQL, with the change topic bumped) reach this node's caches.
#include "cms/challenge/tests/challenge_api_fixture.h"

#include <chrono>
#include <future>

#include "cms/challenge/app_credentials.h"
#include "cms/challenge/challenge_cache.h"
#include "cms/challenge/member_cache.h"
#include "core/sql/change_feed.h"
#include "core/sql/change_watcher.h"
#include "core/sql/database.h"
#include "core/sql/transaction.h"

namespace hub::cms::challenge {

void ChallengeApi::RevocationElsewhereDropsTheCachedCredential() {
  const auto cid = createChallenge();
  const auto app = createApp();
  ASSERT_EQ(steps(app, cid, "n1", "m4", today_, 100).status, 200);  // checked, so now cached
  // Another node revokes it: the row and the change topic move in SQL, not through this process.
  auto fired = changeSeen(AppCredentials::kTopic);
  auto st = hub().db().transaction([&](sql::Transaction& tx) -> Status {
    if (auto r = tx.exec("UPDATE cms_challenge_apps SET revoked_at = 1 WHERE id = ?", {app.id}); !r)
      return r.error();
    return sql::bumpChange(tx, AppCredentials::kTopic);
  });
  ASSERT_TRUE(st) << st.error().message;
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto refused = steps(app, cid, "n2", "m4", today_, 200);  // well within the cache's 10 s
  EXPECT_EQ(refused.status, 401) << refused.text;
  EXPECT_EQ(refused.errorCode(), "challenge.bad_credential");
}

void ChallengeApi::ReimportElsewhereDropsTheCachedMember() {
  const auto cid = createChallenge();  // over city A
  const auto app = createApp();
  auto in = [](int org) { return "member_no,name,org_id\nc1,成员c1," + std::to_string(org) + "\n"; };
  ASSERT_TRUE(importMembers(hub().db(), hub().ctx().orgs, in(7), hub().clock()));
  ASSERT_EQ(steps(app, cid, "c1", "c1", today_, 100).status, 200);  // read, so now cached
  // Another process (the CLI) re-imports the member into city B: the import bumps the topic.
  auto fired = changeSeen(MemberCache::kTopic);
  ASSERT_TRUE(importMembers(hub().db(), hub().ctx().orgs, in(8), hub().clock()));
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto moved = steps(app, cid, "c2", "c1", today_, 200);
  EXPECT_EQ(moved.status, 403) << moved.text;
  EXPECT_EQ(moved.errorCode(), "member.outside_scope");
}

void ChallengeApi::EditsReachTheCachedChallenge() {
  const auto cid = createChallenge();  // cap 30000, plausible up to 80000
  const auto app = createApp();
  ASSERT_EQ(steps(app, cid, "e1", "m1", today_, 20000).body["total"], 20000);  // read, so now cached
  // An edit on this node counts for the next report at once.
  auto patched = admin().patch("/api/v1/challenges/" + std::to_string(cid), {{"daily_cap", 10000}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  auto capped = steps(app, cid, "e2", "m1", today_ - 1, 15000);
  EXPECT_EQ(capped.body["day_counted"], 10000) << capped.text;
  EXPECT_EQ(capped.body["total"], 30000);
  // Another node lowers the plausible maximum: the row and the change topic move in SQL.
  auto fired = changeSeen(ChallengeCache::kTopic);
  auto st = hub().db().transaction([&](sql::Transaction& tx) -> Status {
    if (auto r = tx.exec("UPDATE cms_challenges SET plausible_max = 5000 WHERE id = ?", {cid}); !r)
      return r.error();
    return sql::bumpChange(tx, ChallengeCache::kTopic);
  });
  ASSERT_TRUE(st) << st.error().message;
  (void)hub().ctx().base.changes.pollOnce();  // or the watcher's own poll, within 250 ms
  ASSERT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto held = steps(app, cid, "e3", "m2", today_, 6000);
  EXPECT_EQ(held.status, 202) << held.text;
  EXPECT_EQ(totalsFromSql(cid, 10000).count("m2"), 0u);  // held: not counted
}

}  // namespace hub::cms::challenge
