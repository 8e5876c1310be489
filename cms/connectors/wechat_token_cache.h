// cms/connectors/wechat_token_cache.h
//
// WeChat official accounts authenticate every call with an access_token fetched from
// GET <base>/cgi-bin/token?grant_type=client_credential&appid=..&secret=.. and valid for
// `expires_in` seconds (7200). Each fetch invalidates the previous token, and fetches are
// rate-limited by WeChat, so the token is cached per (base URL, app id) until its expiry minus
// a margin, fetched by one thread at a time per account, and dropped when a call answers
// 40001 (invalid credential) or 42001 (expired). Time comes from the injected clock.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cms/connectors/http_client.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::cms::connectors {

class WechatTokenCache {
 public:
  WechatTokenCache(HttpClient& http, const Clock& clock,
                   std::chrono::seconds margin = std::chrono::seconds(300))
      : http_(http), clock_(clock), margin_(margin) {}

  // A token valid now. Errors: "wechat.<errcode>" (WeChat refused: bad app id or secret),
  // "connector.unreachable" / "connector.timeout" / "http.<status>" (could not ask).
  Result<std::string> get(const std::string& baseUrl, const std::string& appId, const std::string& appSecret);

  // Drops `token` if it is still the cached one (another thread may have refreshed already).
  void invalidate(const std::string& baseUrl, const std::string& appId, const std::string& token);

  // Fetches done so far (for tests and metrics).
  int fetches() const;

 private:
  struct Entry {
    std::mutex fetching;  // one fetch per account at a time
    std::string token;
    Clock::Steady expires{};
  };
  std::shared_ptr<Entry> entry(const std::string& key);

  HttpClient& http_;
  const Clock& clock_;
  std::chrono::seconds margin_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  int fetches_ = 0;
};

}  // namespace hub::cms::connectors
