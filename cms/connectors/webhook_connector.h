// cms/connectors/webhook_connector.h
//
// The signed webhook: POSTs the variant as JSON to the account's `url` with
//   X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body with the account's secret>
//   X-Hub-Timestamp: <unix seconds>   X-Hub-Signature-Timestamped: sha256=<HMAC of "ts.body">
//   Idempotency-Key: <key>            (the receiver keeps the first request per key)
// A receiver should refuse a timestamp more than a few minutes off. lookup() GETs the
// account's `lookup_url` with ?idempotency_key=<key> (signed the same way over an empty body):
// 200 {"id": ...} means it has it, 404 that it does not. Used for the own app and website and
// for every platform without an adapter of its own.
#pragma once

#include "cms/connectors/connector.h"
#include "cms/connectors/http_client.h"
#include "core/util/clock.h"

namespace hub::cms::connectors {

class WebhookConnector final : public Connector {
 public:
  WebhookConnector(HttpClient& http, const Clock& clock) : http_(http), clock_(clock) {}
  std::string_view platform() const override { return "webhook"; }
  PublishResult publish(const PublishRequest& request) override;
  LookupResult lookup(const PublishRequest& request) override;

  // The JSON body publish() sends (exposed for tests and dry runs).
  static std::string body(const PublishRequest& request, std::int64_t sentAt);

 private:
  HttpClient& http_;
  const Clock& clock_;
};

}  // namespace hub::cms::connectors
