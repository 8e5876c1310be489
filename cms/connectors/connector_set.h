// cms/connectors/connector_set.h
//
// Owns the HTTP client, the WeChat token cache and one connector per kind, and picks the one
// for an account: its settings' "connector" when set ("webhook", "wechat_oa", "weibo",
// "douyin", "dry_run"), else by platform (wechat_oa, weibo, douyin have adapters; every other
// platform, the own app and website included, is reached through the signed webhook). With
// dryRun every account goes to the dry-run connector.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cms/connectors/connector.h"
#include "cms/connectors/dry_run_connector.h"
#include "cms/connectors/http_client.h"
#include "cms/connectors/wechat_connector.h"
#include "core/util/clock.h"

namespace hub::cms::connectors {

struct ConnectorOptions {
  bool dryRun = false;
  HttpTimeouts timeouts;
  std::string wechatBaseUrl = "https://api.weixin.qq.com";
  std::string weiboBaseUrl = "https://api.weibo.com";
  std::string douyinBaseUrl = "https://open.douyin.com";
  std::chrono::seconds wechatTokenMargin{300};
  int wechatStatusPolls = 3;
  std::chrono::milliseconds wechatPollInterval{1000};
};

class ConnectorSet {
 public:
  ConnectorSet(ConnectorOptions options, const Clock& clock);
  // For tests: connectors over a given HTTP client (not owned).
  ConnectorSet(ConnectorOptions options, const Clock& clock, HttpClient& http);
  ~ConnectorSet();

  // The connector for an account of `platform` with `settings`; never null.
  Connector& forAccount(std::string_view platform, const Json& settings);
  DryRunConnector& dryRun() { return *dryRun_; }
  WechatTokenCache& wechatTokens() { return *tokens_; }

 private:
  void build(const Clock& clock);
  ConnectorOptions options_;
  std::unique_ptr<HttpClient> ownedHttp_;
  HttpClient* http_ = nullptr;
  std::unique_ptr<WechatTokenCache> tokens_;
  std::unique_ptr<Connector> webhook_, wechat_, weibo_, douyin_;
  std::unique_ptr<DryRunConnector> dryRun_;
};

}  // namespace hub::cms::connectors
