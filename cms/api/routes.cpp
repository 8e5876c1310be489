// cms/api/routes.cpp
//
// The glue between the HTTP server and CMS handlers: hop to the worker pool, authenticate,
// check CSRF, parse JSON, run the handler, turn its Reply into a response. Every refusal is
// logged (named logger, peer, no secrets) and counted.
#include "cms/api/routes.h"

#include <charconv>

#include "cms/auth/session_store.h"
#include "core/http/json_body.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/sql/database.h"

namespace hub::cms {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.api");
  return log;
}

bool isMutation(http::Method m) {
  return m == http::Method::Post || m == http::Method::Put || m == http::Method::Patch ||
         m == http::Method::Delete;
}

std::optional<std::int64_t> parseInt(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

// Every response of the CMS API: JSON, never cached by browsers or proxies.
http::Response finish(http::Response r) {
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::optional<std::int64_t> CmsRequest::idParam(std::string_view name) const {
  auto v = parseInt(http.param(name));
  if (!v || *v <= 0) return std::nullopt;
  return v;
}

std::optional<std::int64_t> CmsRequest::intQuery(std::string_view name, std::int64_t fallback,
                                                 std::int64_t lo, std::int64_t hi) const {
  auto q = http.queryParam(name);
  if (!q) return fallback;
  auto v = parseInt(*q);
  if (!v || *v < lo || *v > hi) return std::nullopt;
  return v;
}

Reply Reply::noContent() {
  Reply r;
  r.status_ = 204;
  r.raw_ = http::Response::noContent();
  return r;
}

Reply Reply::raw(http::Response response) {
  Reply r;
  r.status_ = response.status;
  r.raw_ = std::move(response);
  return r;
}

Reply& Reply::header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

http::Response Reply::toResponse() const {
  http::Response r = error_ ? error_->response() : raw_ ? *raw_ : http::Response::json(status_, body_);
  for (const auto& [name, value] : headers_) r.header(name, value);
  return r;
}

void addRoute(CmsContext& ctx, http::Method method, std::string_view pattern, Guard guard, Handler handler,
              RouteOptions options) {
  auto& requests = ctx.base.metrics.counter("hub_cms_requests_total", "CMS API requests answered");
  auto& refused = ctx.base.metrics.counter("hub_cms_refused_total",
                                           "CMS API requests refused before the handler (401, 403, 400)");
  auto& errors = ctx.base.metrics.counter("hub_cms_errors_total", "CMS API answers with status 500 or above");
  auto run = [&ctx, guard, handler = std::move(handler), options, &requests, &refused,
              &errors](const http::Request& req) -> http::Response {
    requests.inc();
    auth::Actor actor;
    if (guard == Guard::Signed) {
      auto who = ctx.sessions.authenticate(req, isMutation(req.method));
      if (!who) {
        refused.inc();
        const auto& e = who.error();
        logger()->info("[peer={}] {} {} refused: {}", req.peer, http::methodName(req.method), req.path,
                       e.code);
        if (e.code == "auth.csrf") return finish(ApiError::forbidden(e.code, e.message).response());
        if (e.code.rfind("auth.", 0) != 0) return finish(ApiError::fromError(e).response());
        return finish(ApiError::unauthenticated(e.code, e.message).response());
      }
      actor = std::move(*who);
    }
    actor.peer = req.peer;
    Json body;
    if (options.parseJson && !req.body.empty()) {
      auto parsed = http::parseJsonBody(req);
      if (!parsed) {
        refused.inc();
        logger()->info("[peer={} user={}] {} {}: bad JSON", req.peer, actor.userId,
                       http::methodName(req.method), req.path);
        return finish(ApiError::badRequest("bad_json", parsed.error().message).response());
      }
      body = std::move(*parsed);
    }
    CmsRequest cr{req, actor, std::move(body), ctx};
    Reply reply = [&]() -> Reply {
      try {
        return handler(cr);
      } catch (const std::exception& e) {
        return ApiError::fromError(makeError("cms.exception", e.what()));
      }
    }();
    if (reply.status() >= 500) errors.inc();
    return finish(reply.toResponse());
  };
  ctx.base.http.routeAsync(
      method, pattern, [&ctx, run = std::move(run)](http::Request req, http::Responder res) {
        auto st = ctx.base.workers.submit([run, req = std::move(req), res] { res.send(run(req)); });
        if (!st) res.send(finish(http::Response::error(503, "busy", "server busy, try again")));
      });
}

Reply inTransaction(CmsContext& ctx, const std::function<Reply(sql::Transaction&)>& fn) {
  std::optional<Reply> out;
  Status st = ctx.base.db.transaction([&](sql::Transaction& tx) -> Status {
    out.emplace(fn(tx));
    if (out->isError() || out->status() >= 400) return makeError("cms.rollback", "handler refused");
    return {};
  });
  if (out && (out->isError() || out->status() >= 400)) return std::move(*out);
  if (!st) return st.error();
  return std::move(*out);
}

}  // namespace hub::cms
