// cms/connectors/wechat_token_cache.cpp
#include "cms/connectors/wechat_token_cache.h"

#include "cms/connectors/http_outcome.h"

namespace hub::cms::connectors {

std::shared_ptr<WechatTokenCache::Entry> WechatTokenCache::entry(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& e = entries_[key];
  if (!e) e = std::make_shared<Entry>();
  return e;
}

Result<std::string> WechatTokenCache::get(const std::string& baseUrl, const std::string& appId,
                                          const std::string& appSecret) {
  auto e = entry(baseUrl + "|" + appId);
  std::lock_guard fetchLock(e->fetching);
  {
    std::lock_guard lock(mu_);
    if (!e->token.empty() && clock_.steady() < e->expires) return e->token;
  }
  HttpRequest req;
  req.url = baseUrl + "/cgi-bin/token?grant_type=client_credential&appid=" + urlEncode(appId) +
            "&secret=" + urlEncode(appSecret);
  HttpResponse resp = http_.send(req);
  {
    std::lock_guard lock(mu_);
    ++fetches_;
  }
  if (!resp.ok()) {
    auto r = transportOutcome(resp);
    return makeError(r.code, "wechat token: " + r.message);
  }
  if (resp.status != 200) return makeError("http." + std::to_string(resp.status), "wechat token: HTTP error");
  Json j = parseBody(resp.body);
  if (j.value("errcode", 0) != 0)
    return makeError("wechat." + std::to_string(j.value("errcode", 0)),
                     "wechat token: " + j.value("errmsg", ""));
  std::string token = j.value("access_token", "");
  if (token.empty()) return makeError("wechat.bad_reply", "wechat token: no access_token in the reply");
  auto ttl = std::chrono::seconds(j.value("expires_in", 7200));
  std::lock_guard lock(mu_);
  e->token = token;
  e->expires = clock_.steady() + (ttl > margin_ ? ttl - margin_ : ttl / 2);
  return token;
}

void WechatTokenCache::invalidate(const std::string& baseUrl, const std::string& appId,
                                  const std::string& token) {
  auto e = entry(baseUrl + "|" + appId);
  std::lock_guard lock(mu_);
  if (e->token == token) e->token.clear();
}

int WechatTokenCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace hub::cms::connectors
