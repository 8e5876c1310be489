// cms/connectors/douyin_connector.h
//
// Douyin open platform video publishing, as its public API is shaped (header `access-token`,
// query `open_id`):
//   POST <base>/api/douyin/v1/video/upload_video/?open_id=  multipart "video" -> data.video.video_id
//     (skipped when the variant already carries "douyin_video_id")
//   POST <base>/api/douyin/v1/video/create_video/?open_id=  {"video_id","text"} -> data.item_id
// Replies carry data.error_code (0 ok) and data.description. lookup() asks video_data for a
// known item_id, else lists video_list and matches the text.
#pragma once

#include "cms/connectors/connector.h"
#include "cms/connectors/http_client.h"

namespace hub::cms::connectors {

class DouyinConnector final : public Connector {
 public:
  DouyinConnector(HttpClient& http, std::string baseUrl) : http_(http), baseUrl_(std::move(baseUrl)) {}
  std::string_view platform() const override { return "douyin"; }
  PublishResult publish(const PublishRequest& request) override;
  LookupResult lookup(const PublishRequest& request) override;

 private:
  std::string base(const PublishRequest& r) const { return r.account.value("base_url", baseUrl_); }
  HttpRequest request(const PublishRequest& r, const std::string& path) const;
  HttpClient& http_;
  std::string baseUrl_;
};

}  // namespace hub::cms::connectors
