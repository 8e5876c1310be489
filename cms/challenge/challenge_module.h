// cms/challenge/challenge_module.h
//
// What the challenge routes share: the app credentials, the ranking engine and its boards, the
// per-credential rate limit, the members' and challenges' caches, and the helpers that load a
// challenge for a CMS user or for a member coming with a signed link. Built once by addRoutes()
// (challenge_routes.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cms/api/routes.h"
#include "cms/auth/login_limiter.h"
#include "cms/challenge/app_credentials.h"
#include "cms/challenge/boards.h"
#include "cms/challenge/challenge_cache.h"
#include "cms/challenge/challenge_store.h"
#include "cms/challenge/member_cache.h"
#include "cms/challenge/ranking.h"

namespace hub::cms::challenge {

struct Module {
  Module(CmsContext& ctx, std::unique_ptr<Ranking> engine, std::optional<accounts::CredentialBox> box);

  CmsContext& ctx;
  std::unique_ptr<Ranking> ranking;
  Boards boards;
  AppCredentials apps;
  auth::LoginLimiter limiter;  // per app credential, [cms] challenge_app_per_minute
  MemberCache members;         // the step batches' members; forgotten when the import moves
  ChallengeCache challenges;   // the step batches' challenges; forgotten when one is edited
};

// The challenge `:id` as the signed-in actor may see it (404 otherwise); `c` filled on success
// (the Reply is then 204 and not sent).
Reply loadForActor(Module& m, CmsRequest& req, Challenge& c);
// The challenge `:id` and the member of the signed link in `req`'s query (401 link.* for a bad
// link, 404 for a challenge the link's app does not cover, 403 member.outside_scope).
Reply loadForMember(Module& m, CmsRequest& req, Challenge& c, Member& member);
// The member by number (nullopt when unknown).
Result<std::optional<Member>> findMember(sql::Executor& db, std::string_view memberNo);

void addChallengeRoutes(std::shared_ptr<Module> m);
void addStepRoutes(std::shared_ptr<Module> m);
void addBoardRoutes(std::shared_ptr<Module> m);

}  // namespace hub::cms::challenge
