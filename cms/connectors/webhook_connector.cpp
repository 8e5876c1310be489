// cms/connectors/webhook_connector.cpp
#include "cms/connectors/webhook_connector.h"

#include "cms/connectors/http_outcome.h"
#include "cms/connectors/signing.h"

namespace hub::cms::connectors {
namespace {

std::int64_t unixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
}

void sign(HttpRequest& req, const std::string& secret, std::int64_t ts) {
  req.headers["X-Hub-Timestamp"] = std::to_string(ts);
  req.headers["X-Hub-Signature"] = webhookSignature(secret, req.body);
  req.headers["X-Hub-Signature-Timestamped"] = webhookTimestampedSignature(secret, ts, req.body);
}

}  // namespace

std::string WebhookConnector::body(const PublishRequest& r, std::int64_t sentAt) {
  Json j = {{"event", "publish"},     {"idempotency_key", r.idempotencyKey},
            {"item_id", r.itemId},    {"account_id", r.accountId},
            {"platform", r.platform}, {"variant", r.variant},
            {"sent_at", sentAt}};
  return j.dump();
}

PublishResult WebhookConnector::publish(const PublishRequest& r) {
  std::string url = r.account.value("url", "");
  if (url.empty()) {
    PublishResult out;
    out.outcome = Outcome::Permanent;
    out.code = "webhook.no_url";
    out.message = "account has no webhook url";
    return out;
  }
  std::int64_t ts = unixSeconds(clock_);
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.body = body(r, ts);
  req.headers["Content-Type"] = "application/json";
  req.headers["Idempotency-Key"] = r.idempotencyKey;
  sign(req, r.account.value("secret", ""), ts);
  HttpResponse resp = http_.send(req);
  if (!resp.ok()) return transportOutcome(resp);
  PublishResult out = statusResult(resp);
  if (out.outcome == Outcome::Posted) {
    Json j = parseBody(resp.body);
    out.remoteId = j.contains("id") ? idText(j["id"]) : r.idempotencyKey;
    out.code.clear();
    out.message.clear();
  }
  return out;
}

LookupResult WebhookConnector::lookup(const PublishRequest& r) {
  LookupResult out;
  std::string url = r.account.value("lookup_url", "");
  if (url.empty()) {
    out.message = "account has no webhook lookup_url";
    return out;
  }
  HttpRequest req;
  req.url = url + (url.find('?') == std::string::npos ? "?" : "&") +
            "idempotency_key=" + urlEncode(r.idempotencyKey);
  sign(req, r.account.value("secret", ""), unixSeconds(clock_));
  HttpResponse resp = http_.send(req);
  if (!resp.ok()) {
    out.message = resp.error;
    return out;
  }
  if (resp.status == 200) {
    Json j = parseBody(resp.body);
    out.found = Found::Yes;
    out.remoteId = j.contains("id") ? idText(j["id"]) : r.idempotencyKey;
  } else if (resp.status == 404) {
    out.found = Found::No;
  } else {
    out.message = "lookup answered HTTP " + std::to_string(resp.status);
  }
  return out;
}

}  // namespace hub::cms::connectors
