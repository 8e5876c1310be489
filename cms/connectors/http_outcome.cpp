// cms/connectors/http_outcome.cpp
#include "cms/connectors/http_outcome.h"

namespace hub::cms::connectors {

std::string_view outcomeName(Outcome o) {
  switch (o) {
    case Outcome::Posted:
      return "posted";
    case Outcome::Retryable:
      return "retryable";
    case Outcome::Permanent:
      return "permanent";
    case Outcome::Unknown:
      return "unknown";
  }
  return "unknown";
}

PublishResult transportOutcome(const HttpResponse& r) {
  PublishResult out;
  switch (r.transport) {
    case HttpResponse::Transport::NotSent:
      out.outcome = Outcome::Retryable;
      out.code = "connector.unreachable";
      break;
    case HttpResponse::Transport::Timeout:
      out.outcome = Outcome::Unknown;
      out.code = "connector.timeout";
      break;
    default:
      out.outcome = Outcome::Unknown;
      out.code = "connector.transport";
      break;
  }
  out.message = r.error;
  return out;
}

Outcome statusOutcome(int status) {
  if (status >= 200 && status < 300) return Outcome::Posted;
  if (status == 429 || status == 502 || status == 503) return Outcome::Retryable;
  if (status == 408 || status >= 500) return Outcome::Unknown;
  return Outcome::Permanent;
}

PublishResult statusResult(const HttpResponse& r) {
  PublishResult out;
  out.outcome = statusOutcome(r.status);
  out.code = "http." + std::to_string(r.status);
  out.message = "HTTP " + std::to_string(r.status);
  return out;
}

Json parseBody(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Json::object();
  return j;
}

std::string idText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  return {};
}

}  // namespace hub::cms::connectors
