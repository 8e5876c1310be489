// cms/cms_service.h
//
// The CMS service: users, sessions and roles, the organisation tree, the audit log, and the
// modules built on them (accounts, content, workflow, schedule, ...), all under /api/v1.
// Registered for the roles "" (all-in-one) and "cms". start() builds the shared parts
// (CmsContext) and calls one addRoutes(ctx) per module; migrations() lists every module's
// migrations in dependency order. See cms/README.md for how a module plugs in.
#pragma once

#include <atomic>
#include <memory>

#include "cms/api/cms_context.h"
#include "core/service/service.h"
#include "core/sql/migration.h"

namespace hub::cms {

// Every CMS module's migrations, in dependency order (what CmsService::migrations() returns;
// the CLI uses it without a service).
std::vector<sql::Migration> migrations();

class CmsService final : public service::Service {
 public:
  CmsService();
  ~CmsService() override;

  std::string_view name() const override { return "cms"; }
  std::vector<sql::Migration> migrations() const override { return cms::migrations(); }
  Status start(service::Context& context) override;
  void stop() override;

  // After start(): the shared parts (tests use it to reach the stores).
  CmsContext& context() { return *ctx_; }

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<CmsContext> ctx_;
  StopHooks stops_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  bool stopped_ = false;
};

}  // namespace hub::cms
