// cms/connectors/weibo_connector.h
//
// Weibo, as its public API is shaped: POST <base>/2/statuses/share.json (form-encoded
// access_token and status; the text must carry a link of the app's safe domain) -> {"idstr"};
// errors come as {"error_code", "error"}. 20019 (the same text was posted already) means an
// earlier attempt probably arrived: Unknown, so lookup() finds it. lookup() reads
// statuses/show.json?id= when a remote id is known, else the account's recent
// statuses/user_timeline.json and matches the text.
#pragma once

#include "cms/connectors/connector.h"
#include "cms/connectors/http_client.h"

namespace hub::cms::connectors {

class WeiboConnector final : public Connector {
 public:
  WeiboConnector(HttpClient& http, std::string baseUrl) : http_(http), baseUrl_(std::move(baseUrl)) {}
  std::string_view platform() const override { return "weibo"; }
  PublishResult publish(const PublishRequest& request) override;
  LookupResult lookup(const PublishRequest& request) override;

  // The status text sent: the variant's body, or its title and body.
  static std::string text(const PublishRequest& request);

 private:
  std::string base(const PublishRequest& r) const { return r.account.value("base_url", baseUrl_); }
  HttpClient& http_;
  std::string baseUrl_;
};

}  // namespace hub::cms::connectors
