// cms/connectors/wechat_connector.cpp
#include "cms/connectors/wechat_connector.h"

#include <thread>

#include "cms/connectors/http_outcome.h"

namespace hub::cms::connectors {
namespace {

bool tokenRejected(int errcode) { return errcode == 40001 || errcode == 42001 || errcode == 40014; }

// Errors WeChat documents as "try later": system busy, frequency limits.
bool retryableErrcode(int errcode) { return errcode == -1 || errcode == 45009 || errcode == 45011; }

PublishResult fail(Outcome o, std::string code, std::string message, const Json& progress) {
  PublishResult out;
  out.outcome = o;
  out.code = std::move(code);
  out.message = std::move(message);
  out.progress = progress;
  return out;
}

}  // namespace

std::string WechatConnector::base(const PublishRequest& r) const {
  return r.account.value("base_url", options_.baseUrl);
}

WechatConnector::Call WechatConnector::call(const PublishRequest& r, const std::string& path,
                                            const Json& payload) {
  Call c;
  std::string appId = r.account.value("app_id", ""), secret = r.account.value("app_secret", "");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = tokens_.get(base(r), appId, secret);
    if (!token) {
      c.tokenError = token.error().code;
      c.response.transport = HttpResponse::Transport::NotSent;
      c.response.error = token.error().message;
      return c;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = base(r) + "/cgi-bin/" + path + "?access_token=" + urlEncode(*token);
    req.headers["Content-Type"] = "application/json";
    req.body = payload.dump();
    c.response = http_.send(req);
    c.body = c.response.ok() ? parseBody(c.response.body) : Json::object();
    c.errcode = c.body.value("errcode", 0);
    if (!c.response.ok() || !tokenRejected(c.errcode)) return c;
    tokens_.invalidate(base(r), appId, *token);
  }
  return c;
}

PublishResult WechatConnector::publish(const PublishRequest& r) {
  Json progress = r.progress.is_object() ? r.progress : Json::object();
  if (progress.contains("publish_id")) {
    // An earlier attempt submitted already: never submit twice, only ask.
    LookupResult l = status(r, progress["publish_id"].get<std::string>());
    if (l.found == Found::Yes) {
      PublishResult out;
      out.outcome = Outcome::Posted;
      out.remoteId = l.remoteId;
      out.progress = progress;
      return out;
    }
    return fail(l.found == Found::No ? Outcome::Permanent : Outcome::Unknown, "wechat.publish_status",
                l.message, progress);
  }
  if (!progress.contains("media_id")) {
    const Json& v = r.variant;
    Json article = {{"title", v.value("title", "")},
                    {"author", v.value("author", "")},
                    {"digest", v.value("summary", "")},
                    {"content", v.value("body", "")},
                    {"content_source_url", v.value("source_url", "")},
                    {"thumb_media_id", v.value("thumb_media_id", "")},
                    {"need_open_comment", 0},
                    {"only_fans_can_comment", 0}};
    Call c = call(r, "draft/add", Json{{"articles", Json::array({article})}});
    if (!c.tokenError.empty())
      return fail(c.tokenError.rfind("wechat.", 0) == 0 ? Outcome::Permanent : Outcome::Retryable,
                  c.tokenError, c.response.error, progress);
    // A lost draft is not a post: anything but a clear answer is worth another try.
    if (!c.response.ok())
      return fail(Outcome::Retryable, transportOutcome(c.response).code, c.response.error, progress);
    if (c.response.status != 200)
      return fail(Outcome::Retryable, "http." + std::to_string(c.response.status), "draft/add", progress);
    if (c.errcode != 0)
      return fail(retryableErrcode(c.errcode) ? Outcome::Retryable : Outcome::Permanent,
                  "wechat." + std::to_string(c.errcode), "draft/add: " + c.body.value("errmsg", ""),
                  progress);
    progress["media_id"] = idText(c.body.value("media_id", Json()));
  }
  Call c = call(r, "freepublish/submit", Json{{"media_id", progress["media_id"]}});
  if (!c.tokenError.empty())
    return fail(c.tokenError.rfind("wechat.", 0) == 0 ? Outcome::Permanent : Outcome::Retryable, c.tokenError,
                c.response.error, progress);
  if (!c.response.ok()) {
    auto t = transportOutcome(c.response);
    t.progress = progress;
    return t;
  }
  if (c.response.status != 200) {
    auto s = statusResult(c.response);
    s.progress = progress;
    return s;
  }
  if (c.errcode != 0)
    return fail(retryableErrcode(c.errcode) ? Outcome::Retryable : Outcome::Permanent,
                "wechat." + std::to_string(c.errcode), "freepublish/submit: " + c.body.value("errmsg", ""),
                progress);
  std::string publishId = idText(c.body.value("publish_id", Json()));
  progress["publish_id"] = publishId;
  for (int i = 0; i < options_.statusPolls; ++i) {
    if (i > 0 && options_.pollInterval.count() > 0) std::this_thread::sleep_for(options_.pollInterval);
    LookupResult l = status(r, publishId);
    if (l.found == Found::Yes) {
      PublishResult out;
      out.outcome = Outcome::Posted;
      out.remoteId = l.remoteId;
      out.progress = progress;
      return out;
    }
    if (l.found == Found::No) return fail(Outcome::Permanent, "wechat.publish_failed", l.message, progress);
  }
  // Submitted, still being published: the scheduler reconciles it through lookup().
  return fail(Outcome::Unknown, "wechat.publishing", "publish " + publishId + " not finished yet", progress);
}

LookupResult WechatConnector::status(const PublishRequest& r, const std::string& publishId) {
  LookupResult out;
  Call c = call(r, "freepublish/get", Json{{"publish_id", publishId}});
  if (!c.response.ok() || c.response.status != 200 || c.errcode != 0) {
    out.message = "freepublish/get failed";
    return out;
  }
  int st = c.body.value("publish_status", 1);
  if (st == 0) {
    out.found = Found::Yes;
    out.remoteId = idText(c.body.value("article_id", Json()));
  } else if (st >= 2) {
    out.found = Found::No;
    out.message = "publish_status " + std::to_string(st);
  }
  return out;
}

LookupResult WechatConnector::lookup(const PublishRequest& r) {
  const Json& p = r.progress;
  if (p.is_object() && p.contains("publish_id")) {
    auto l = status(r, p["publish_id"].get<std::string>());
    l.progress = p;
    return l;
  }
  LookupResult out;
  out.progress = p;
  if (!p.is_object() || !p.contains("media_id")) {
    out.found = Found::No;  // no draft was ever made, so nothing can have been published
    return out;
  }
  // Submitted without a known publish_id: look for the title among recent publications.
  Call c = call(r, "freepublish/batchget", Json{{"offset", 0}, {"count", 20}, {"no_content", 1}});
  if (!c.response.ok() || c.response.status != 200 || c.errcode != 0) {
    out.message = "freepublish/batchget failed";
    return out;
  }
  std::string title = r.variant.value("title", "");
  for (const auto& item : c.body.value("item", Json::array())) {
    for (const auto& news : item.value("content", Json::object()).value("news_item", Json::array())) {
      if (news.value("title", "") == title) {
        out.found = Found::Yes;
        out.remoteId = idText(item.value("article_id", Json()));
        return out;
      }
    }
  }
  out.found = Found::No;
  return out;
}

}  // namespace hub::cms::connectors
