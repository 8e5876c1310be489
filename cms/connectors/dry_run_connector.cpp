// cms/connectors/dry_run_connector.cpp
#include "cms/connectors/dry_run_connector.h"

#include "core/log/log.h"

namespace hub::cms::connectors {

PublishResult DryRunConnector::publish(const PublishRequest& r) {
  static const auto log = hub::log::get("cms.connectors");
  log->info("[item={} account={} key={}] dry run: would publish to {} title=\"{}\"", r.itemId, r.accountId,
            r.idempotencyKey, r.platform, r.variant.value("title", ""));
  PublishRequest copy = r;
  copy.account = Json::object();  // credentials are not kept
  {
    std::lock_guard lock(mu_);
    sent_.push_back(std::move(copy));
  }
  PublishResult out;
  out.outcome = Outcome::Posted;
  out.remoteId = "dry-run:" + r.idempotencyKey;
  return out;
}

LookupResult DryRunConnector::lookup(const PublishRequest& r) {
  std::lock_guard lock(mu_);
  LookupResult out;
  out.found = Found::No;
  for (const auto& s : sent_)
    if (s.idempotencyKey == r.idempotencyKey) {
      out.found = Found::Yes;
      out.remoteId = "dry-run:" + r.idempotencyKey;
    }
  return out;
}

std::vector<PublishRequest> DryRunConnector::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

}  // namespace hub::cms::connectors
