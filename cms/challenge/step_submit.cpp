// cms/challenge/step_submit.cpp
//
// The step routes' shared checks, and the batch route: one request carrying many reports, each
// queued on the batcher like a single report and answered in the reply's `results`, in the
// request's order.
#include "cms/challenge/step_submit.h"

#include <sodium.h>

#include <atomic>
#include <charconv>
#include <memory>
#include <utility>
#include <vector>

#include "cms/challenge/step_batcher.h"
#include "core/http/json_body.h"
#include "core/log/log.h"

namespace hub::cms::challenge {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

// One batch request's answers, filled by the batcher's threads in any order; the last one sends.
class BatchAnswers {
 public:
  BatchAnswers(std::size_t n, http::Responder res) : items_(n), left_(n), res_(std::move(res)) {}

  void set(std::size_t i, const std::string& key, const http::Response& r) {
    Json head{{"idempotency_key", key}, {"status", r.status}};
    if (r.headerValue("Idempotent-Replayed") == "true") head["replayed"] = true;
    std::string text = head.dump();
    text.pop_back();  // the closing brace: the body follows as sent alone
    text += ",\"body\":";
    text += r.body.empty() ? "null" : r.body;
    text += '}';
    items_[i] = std::move(text);
    if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1) send();
  }

 private:
  void send() {
    std::size_t size = 16;
    for (const auto& item : items_) size += item.size() + 1;
    std::string body;
    body.reserve(size);
    body += "{\"results\":[";
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (i) body += ',';
      body += items_[i];
    }
    body += "]}";
    http::Response r(200, std::move(body), "application/json");
    r.header("Cache-Control", "no-store");
    res_.send(std::move(r));
  }

  std::vector<std::string> items_;  // each written once, by one thread, before its decrement
  std::atomic<std::size_t> left_;
  http::Responder res_;
};

}  // namespace

bool validIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char ch : key)
    if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

std::string bodyHash(std::int64_t challengeId, std::string_view bytes) {
  const std::string text = std::to_string(challengeId) + "\n" + std::string(bytes);
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(2 * sizeof out);
  for (unsigned char b : out) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

std::optional<std::int64_t> parseChallengeId(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

void submitBatch(Module& m, StepBatcher& batcher, const http::Request& req, const http::Responder& res,
                 const App& app, const Finish& finish, metrics::Counter& refused) {
  auto cid = parseChallengeId(req.param("id"));
  if (!cid) return res.send(finish(ApiError::notFound("challenge")));
  const std::size_t most =
      std::min<std::size_t>(kMaxBatchReports, static_cast<std::size_t>(m.limiter.perMinute()));
  const auto invalid = [&] {
    res.send(finish(ApiError::badRequest(
        "batch.invalid", "send {\"submissions\": [...]} with 1 to " + std::to_string(most) + " reports")));
  };
  if (req.body.empty()) return invalid();
  auto parsed = http::parseJsonBody(req);
  if (!parsed) {
    refused.inc();
    logger()->info("[peer={}] steps batch: bad JSON", req.peer);
    return res.send(finish(ApiError::badRequest("bad_json", parsed.error().message)));
  }
  Json& body = *parsed;
  if (!body.is_object() || !body.contains("submissions") || !body["submissions"].is_array() ||
      body["submissions"].empty())
    return invalid();
  Json& reports = body["submissions"];
  if (reports.size() > most)
    return res.send(finish(ApiError::badRequest(
        "batch.too_large", "at most " + std::to_string(most) + " reports in one batch")));
  if (int wait = m.limiter.take(std::to_string(app.id), static_cast<int>(reports.size())); wait > 0)
    return res.send(finish(ApiError::tooManyRequests("challenge.rate_limited",
                                                     "too many submissions from this app credential", wait)));
  auto answers = std::make_shared<BatchAnswers>(reports.size(), res);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    Json& report = reports[i];
    std::string key;
    if (report.is_object() && report.contains("idempotency_key") && report["idempotency_key"].is_string())
      key = report["idempotency_key"].get<std::string>();
    if (!report.is_object()) {
      answers->set(i, key, finish(ApiError::badRequest("batch.bad_report", "each report is a JSON object")));
      continue;
    }
    if (!validIdempotencyKey(key)) {
      answers->set(i, key,
                   finish(ApiError::badRequest("idempotency.key_required",
                                               "give each report an idempotency_key of 1 to 64 characters")));
      continue;
    }
    report.erase("idempotency_key");
    // Over the report's fields as the hub spells them (keys sorted, no spaces): a retry may
    // serialise its batch anew and still be the same report.
    std::string hash = bodyHash(*cid, report.dump());
    batcher.submit(
        Submission{app, key, std::move(hash), *cid, std::move(report), req.peer,
                   [answers, i, key, finish](Reply reply) { answers->set(i, key, finish(reply)); }});
  }
}

}  // namespace hub::cms::challenge
