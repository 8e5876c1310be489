// cms/connectors/wechat_connector.h
//
// WeChat official account (公众号) publishing, as its public API is shaped:
//   1. POST <base>/cgi-bin/draft/add?access_token=T {"articles":[{title, author, digest,
//      content, content_source_url, thumb_media_id}]}          -> {"media_id"}
//   2. POST <base>/cgi-bin/freepublish/submit?access_token=T {"media_id"} -> {"publish_id"}
//   3. POST <base>/cgi-bin/freepublish/get?access_token=T {"publish_id"}
//      -> {"publish_status": 0 ok | 1 publishing | 2..6 failed, "article_id"}
// The token comes from WechatTokenCache; 40001/42001/40014 drop it and the call is tried once
// more with a fresh one. A draft is harmless to repeat (it is not a post), so a timeout there
// is Retryable; a timeout on submit is Unknown, and progress keeps media_id / publish_id so
// lookup() asks freepublish/get (or, without a publish_id, lists recent publications with
// freepublish/batchget and matches the title) instead of posting again.
#pragma once

#include <chrono>

#include "cms/connectors/connector.h"
#include "cms/connectors/http_client.h"
#include "cms/connectors/wechat_token_cache.h"

namespace hub::cms::connectors {

struct WechatOptions {
  std::string baseUrl = "https://api.weixin.qq.com";  // an account's "base_url" wins
  int statusPolls = 3;                                // freepublish/get calls after submit
  std::chrono::milliseconds pollInterval{1000};
};

class WechatConnector final : public Connector {
 public:
  WechatConnector(HttpClient& http, WechatTokenCache& tokens, WechatOptions options)
      : http_(http), tokens_(tokens), options_(std::move(options)) {}
  std::string_view platform() const override { return "wechat_oa"; }
  PublishResult publish(const PublishRequest& request) override;
  LookupResult lookup(const PublishRequest& request) override;

 private:
  struct Call {
    HttpResponse response;
    Json body;
    int errcode = 0;
    std::string tokenError;  // set when no token could be had
  };
  // POSTs `payload` to <base>/cgi-bin/<path>?access_token=.., refreshing the token once.
  Call call(const PublishRequest& r, const std::string& path, const Json& payload);
  std::string base(const PublishRequest& r) const;
  LookupResult status(const PublishRequest& r, const std::string& publishId);

  HttpClient& http_;
  WechatTokenCache& tokens_;
  WechatOptions options_;
};

}  // namespace hub::cms::connectors
