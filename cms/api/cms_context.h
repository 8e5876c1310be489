// cms/api/cms_context.h
//
// What every CMS module gets when it adds its routes: the process's shared parts (base: config,
// HTTP server, SQL, bus, workers, metrics, change watcher, clock, auth secret) and the CMS's
// own (organisation tree, access rules, audit log, users and sessions, [cms] config). Built
// by CmsService::start(); it outlives every route and every stop hook.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "core/config/config.h"
#include "core/service/service.h"

namespace hub::cms {
namespace org {
class OrgTree;
}
namespace auth {
class Access;
class UserStore;
class SessionStore;
}  // namespace auth
namespace audit {
class AuditLog;
}

// Stop hooks run by CmsService::stop() in reverse order of registration, once.
class StopHooks {
 public:
  void add(std::function<void()> fn);
  void runAll();

 private:
  std::mutex mu_;
  std::vector<std::function<void()>> hooks_;
};

struct CmsContext {
  service::Context& base;
  org::OrgTree& orgs;
  auth::Access& access;
  audit::AuditLog& audit;
  const config::Cms& config;
  auth::UserStore& users;
  auth::SessionStore& sessions;
  StopHooks& stops;

  // Background work a module starts in its addRoutes() is stopped here: `fn` runs when the
  // service stops (after the HTTP server stopped, before the database and workers go).
  void onStop(std::function<void()> fn) { stops.add(std::move(fn)); }
};

}  // namespace hub::cms
