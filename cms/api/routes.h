// cms/api/routes.h
//
// How a CMS module adds an HTTP route. The handler runs on the WORKER POOL (SQL blocks), after
// the guard checked the caller:
//  - Guard::Public: anyone; req.actor is empty (userId 0).
//  - Guard::Signed: a session cookie `hub_session` (and, on POST/PUT/PATCH/DELETE, the header
//    `X-CSRF-Token` with the session's CSRF token: missing or wrong is 403 "auth.csrf"), or
//    `Authorization: Bearer <API token>` (no CSRF needed). No or dead credentials are 401.
// Then the body is parsed as JSON (400 "bad_json"; an empty body is null) unless the route
// says otherwise. Object access (org subtree, role) is the handler's job: ctx.access.
//
//   addRoute(ctx, http::Method::Get, "/api/v1/things/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
//     auto id = req.idParam("id");
//     if (!id) return ApiError::notFound("thing");
//     ...
//     if (!ctx.access.can(req.actor, {auth::Role::Editor}, thing.orgId)) return ApiError::notFound("thing");
//     return Json{{"id", *id}};
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cms/api/api_error.h"
#include "cms/api/cms_context.h"
#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "core/http/request.h"
#include "core/http/response.h"
#include "core/sql/transaction.h"

namespace hub::cms {

enum class Guard { Public, Signed };

struct RouteOptions {
  bool parseJson = true;  // false: the handler reads req.http.body itself (uploads, CSV)
};

struct CmsRequest {
  const http::Request& http;
  const auth::Actor& actor;
  Json body;  // null when the body is empty or parseJson is false
  CmsContext& ctx;

  std::string_view param(std::string_view name) const { return http.param(name); }
  std::optional<std::string_view> query(std::string_view name) const { return http.queryParam(name); }
  // A path parameter that is a positive decimal int64; nullopt otherwise (answer 404).
  std::optional<std::int64_t> idParam(std::string_view name) const;
  // A query parameter as an int64 within [lo, hi]; `fallback` when absent; nullopt when bad.
  std::optional<std::int64_t> intQuery(std::string_view name, std::int64_t fallback, std::int64_t lo,
                                       std::int64_t hi) const;
};

// A JSON answer (200 unless told), an ApiError, or a raw http::Response (CSV, files).
class Reply {
 public:
  Reply(Json body) : status_(200), body_(std::move(body)) {}  // NOLINT: implicit by design
  Reply(int status, Json body) : status_(status), body_(std::move(body)) {}
  Reply(ApiError error) : status_(error.status), error_(std::move(error)) {}  // NOLINT
  Reply(const Error& error) : Reply(ApiError::fromError(error)) {}            // NOLINT

  static Reply created(Json body) { return Reply(201, std::move(body)); }
  static Reply noContent();
  static Reply raw(http::Response response);

  Reply& header(std::string name, std::string value);
  int status() const { return status_; }
  bool isError() const { return error_.has_value(); }
  const std::optional<ApiError>& error() const { return error_; }
  const Json& body() const { return body_; }

  http::Response toResponse() const;

 private:
  Reply() = default;
  int status_ = 200;
  Json body_;
  std::optional<ApiError> error_;
  std::optional<http::Response> raw_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

using Handler = std::function<Reply(CmsRequest&)>;

void addRoute(CmsContext& ctx, http::Method method, std::string_view pattern, Guard guard, Handler handler,
              RouteOptions options = {});

// Runs `fn` in a transaction and turns its outcome into a Reply: fn returns the Reply to send
// on success; an ApiError it returns rolls the transaction back. For handlers that mutate and
// audit in one transaction.
Reply inTransaction(CmsContext& ctx, const std::function<Reply(sql::Transaction&)>& fn);

}  // namespace hub::cms
