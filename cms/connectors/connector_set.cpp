// cms/connectors/connector_set.cpp
#include "cms/connectors/connector_set.h"

#include "cms/connectors/douyin_connector.h"
#include "cms/connectors/webhook_connector.h"
#include "cms/connectors/weibo_connector.h"

namespace hub::cms::connectors {

ConnectorSet::ConnectorSet(ConnectorOptions options, const Clock& clock)
    : options_(std::move(options)), ownedHttp_(makeCurlClient(options_.timeouts)), http_(ownedHttp_.get()) {
  build(clock);
}

ConnectorSet::ConnectorSet(ConnectorOptions options, const Clock& clock, HttpClient& http)
    : options_(std::move(options)), http_(&http) {
  build(clock);
}

ConnectorSet::~ConnectorSet() = default;

void ConnectorSet::build(const Clock& clock) {
  tokens_ = std::make_unique<WechatTokenCache>(*http_, clock, options_.wechatTokenMargin);
  webhook_ = std::make_unique<WebhookConnector>(*http_, clock);
  WechatOptions w;
  w.baseUrl = options_.wechatBaseUrl;
  w.statusPolls = options_.wechatStatusPolls;
  w.pollInterval = options_.wechatPollInterval;
  wechat_ = std::make_unique<WechatConnector>(*http_, *tokens_, w);
  weibo_ = std::make_unique<WeiboConnector>(*http_, options_.weiboBaseUrl);
  douyin_ = std::make_unique<DouyinConnector>(*http_, options_.douyinBaseUrl);
  dryRun_ = std::make_unique<DryRunConnector>();
}

Connector& ConnectorSet::forAccount(std::string_view platform, const Json& settings) {
  if (options_.dryRun) return *dryRun_;
  std::string kind = settings.is_object() ? settings.value("connector", "") : "";
  if (kind.empty()) kind = std::string(platform);
  if (kind == "dry_run") return *dryRun_;
  if (kind == "wechat_oa") return *wechat_;
  if (kind == "weibo") return *weibo_;
  if (kind == "douyin") return *douyin_;
  return *webhook_;
}

}  // namespace hub::cms::connectors
