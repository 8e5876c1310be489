// cms/connectors/weibo_connector.cpp
#include "cms/connectors/weibo_connector.h"

#include "cms/connectors/http_outcome.h"

namespace hub::cms::connectors {
namespace {

bool tokenError(int code) { return code >= 21314 && code <= 21332; }
bool rateLimited(int code) { return code == 10022 || code == 10023 || code == 10024 || code == 10001; }

}  // namespace

std::string WeiboConnector::text(const PublishRequest& r) {
  std::string body = r.variant.value("body", "");
  std::string title = r.variant.value("title", "");
  if (title.empty() || body.rfind(title, 0) == 0) return body;
  return "【" + title + "】" + body;
}

PublishResult WeiboConnector::publish(const PublishRequest& r) {
  HttpRequest req;
  req.method = "POST";
  req.url = base(r) + "/2/statuses/share.json";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body =
      "access_token=" + urlEncode(r.account.value("access_token", "")) + "&status=" + urlEncode(text(r));
  HttpResponse resp = http_.send(req);
  if (!resp.ok()) return transportOutcome(resp);
  Json j = parseBody(resp.body);
  PublishResult out;
  if (resp.status == 200 && (j.contains("idstr") || j.contains("id"))) {
    out.outcome = Outcome::Posted;
    out.remoteId = j.contains("idstr") ? idText(j["idstr"]) : idText(j["id"]);
    return out;
  }
  int code = j.value("error_code", 0);
  if (code == 0) return statusResult(resp);
  out.code = "weibo." + std::to_string(code);
  out.message = j.value("error", "");
  if (code == 20019)
    out.outcome = Outcome::Unknown;
  else if (rateLimited(code))
    out.outcome = Outcome::Retryable;
  else if (tokenError(code))
    out.outcome = Outcome::Permanent;
  else
    out.outcome =
        statusOutcome(resp.status) == Outcome::Posted ? Outcome::Permanent : statusOutcome(resp.status);
  return out;
}

LookupResult WeiboConnector::lookup(const PublishRequest& r) {
  LookupResult out;
  std::string token = urlEncode(r.account.value("access_token", ""));
  HttpRequest req;
  req.url = base(r) + "/2/statuses/user_timeline.json?count=50&access_token=" + token;
  HttpResponse resp = http_.send(req);
  if (!resp.ok() || resp.status != 200) {
    out.message = resp.ok() ? "user_timeline answered HTTP " + std::to_string(resp.status) : resp.error;
    return out;
  }
  Json j = parseBody(resp.body);
  if (!j.contains("statuses")) {
    out.message = "user_timeline without statuses";
    return out;
  }
  std::string want = text(r);
  for (const auto& s : j["statuses"]) {
    if (s.value("text", "") == want) {
      out.found = Found::Yes;
      out.remoteId = s.contains("idstr") ? idText(s["idstr"]) : idText(s.value("id", Json()));
      return out;
    }
  }
  out.found = Found::No;
  return out;
}

}  // namespace hub::cms::connectors
