// cms/connectors/dry_run_connector.h
//
// Sends nothing: records what would have been sent (platform, account, key, variant) in
// memory and in the log (`cms.connectors`), and answers Posted with remote id "dry-run:<key>".
// lookup() finds exactly what was recorded. `[cms_schedule] dry_run = true` routes every
// platform here, for staging and for trying a schedule without touching real accounts.
#pragma once

#include <mutex>
#include <vector>

#include "cms/connectors/connector.h"

namespace hub::cms::connectors {

class DryRunConnector final : public Connector {
 public:
  std::string_view platform() const override { return "dry_run"; }
  PublishResult publish(const PublishRequest& request) override;
  LookupResult lookup(const PublishRequest& request) override;

  // What publish() was asked to send, oldest first.
  std::vector<PublishRequest> sent() const;

 private:
  mutable std::mutex mu_;
  std::vector<PublishRequest> sent_;
};

}  // namespace hub::cms::connectors
