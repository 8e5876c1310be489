// cms/cms_service.cpp
//
// Builds the CMS's shared parts and lets each module add its routes. A module adds ONE line to
// start() (its addRoutes) and ONE to migrations() (its migrations), nothing else here.
#include "cms/cms_service.h"

#include "cms/accounts/account_routes.h"
#include "cms/accounts/account_store.h"
#include "cms/analytics/account_analytics.h"
#include "cms/analytics/live_analytics.h"
#include "cms/audit/audit_log.h"
#include "cms/audit/audit_routes.h"
#include "cms/auth/access.h"
#include "cms/auth/auth_routes.h"
#include "cms/auth/password.h"
#include "cms/auth/session_store.h"
#include "cms/auth/user_store.h"
#include "cms/challenge/challenge_routes.h"
#include "cms/challenge/member_import.h"
#include "cms/content/content_routes.h"
#include "cms/content/content_store.h"
#include "cms/live/live_activity.h"
#include "cms/live/live_health_routes.h"
#include "cms/live/live_routes.h"
#include "cms/live/word_list_routes.h"
#include "cms/media_library/media_routes.h"
#include "cms/media_library/media_store.h"
#include "cms/org/org_routes.h"
#include "cms/org/org_tree.h"
#include "cms/schedule/schedule_migrations.h"
#include "cms/schedule/schedule_routes.h"
#include "cms/workflow/review_routes.h"
#include "cms/workflow/workflow.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/sql/change_watcher.h"

namespace hub::cms {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms");
  return log;
}

void append(std::vector<sql::Migration>& all, std::vector<sql::Migration> more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

void StopHooks::add(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  hooks_.push_back(std::move(fn));
}

void StopHooks::runAll() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mu_);
    hooks.swap(hooks_);
  }
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
}

std::vector<sql::Migration> migrations() {
  std::vector<sql::Migration> all;
  append(all, org::migrations());    // cms.org
  append(all, auth::migrations());   // cms.auth
  append(all, audit::migrations());  // cms.audit
  // Modules: one line each, after what they depend on.
  append(all, accounts::migrations());       // cms.accounts
  append(all, media_library::migrations());  // cms.media
  append(all, content::migrations());        // cms.content
  append(all, workflow::migrations());       // cms.workflow
  append(all, schedule::migrations());       // cms.schedule
  append(all, challenge::migrations());      // cms.challenge
  append(all, live::migrations());           // cms.live
  append(all, live::activityMigrations());   // cms.live_activity
  return all;
}

struct CmsService::Parts {
  explicit Parts(service::Context& c)
      : orgs(c.db),
        access(orgs),
        audit(c.clock),
        users(c.db, c.clock),
        sessions(c.db, users, c.config.cms, c.clock) {}
  org::OrgTree orgs;
  auth::Access access;
  audit::AuditLog audit;
  auth::UserStore users;
  auth::SessionStore sessions;
};

CmsService::CmsService() = default;

CmsService::~CmsService() { stop(); }

Status CmsService::start(service::Context& context) {
  const auth::PasswordCost cost{
      .ops = static_cast<unsigned long long>(context.config.cms.passwordHashOps),
      .memoryBytes = static_cast<std::size_t>(context.config.cms.passwordHashMemoryKib) * 1024};
  if (auto st = auth::setPasswordCost(cost); !st) return st.error().wrap("cms");
  parts_ = std::make_unique<Parts>(context);
  ctx_ =
      std::make_unique<CmsContext>(CmsContext{context, parts_->orgs, parts_->access, parts_->audit,
                                              context.config.cms, parts_->users, parts_->sessions, stops_});
  if (auto st = parts_->orgs.reload(); !st) return st.error().wrap("cms");

  context.changes.onChange(org::kTopic, [this, alive = alive_](std::string_view, std::int64_t) {
    if (!alive->load()) return;
    (void)ctx_->base.workers.submit([this, alive] {
      if (!alive->load()) return;
      if (auto st = parts_->orgs.reload(); !st) logger()->warn("reload orgs: {}", st.error().message);
    });
  });

  auth::addRoutes(*ctx_);
  org::addRoutes(*ctx_);
  audit::addRoutes(*ctx_);
  // Modules: one line each.
  accounts::addRoutes(*ctx_);
  media_library::addRoutes(*ctx_);
  content::addRoutes(*ctx_);
  workflow::addRoutes(*ctx_);
  schedule::addRoutes(*ctx_);
  challenge::addRoutes(*ctx_);
  live::addRoutes(*ctx_);
  live::addControlRoomRoutes(*ctx_);
  live::addWordListRoutes(*ctx_);
  analytics::addRoutes(*ctx_);
  analytics::addLiveRoutes(*ctx_);

  logger()->info("cms: {} organisations", parts_->orgs.size());
  return {};
}

void CmsService::stop() {
  if (stopped_ || !ctx_) return;
  stopped_ = true;
  alive_->store(false);
  stops_.runAll();
}

}  // namespace hub::cms
