// cms/connectors/connector.h
//
// One interface for every platform the CMS publishes to (data flow 3): publish() sends one
// variant of a content item to one account and says what happened, lookup() asks the platform
// afterwards whether an attempt whose outcome was unknown arrived. The scheduler never posts
// again after an unknown outcome without asking lookup() first, so the four outcomes must be
// told apart honestly: a connector that cannot know whether the platform took the post says
// Unknown, never Retryable.
//
// Connectors are called from worker threads, several at once; implementations are thread-safe.
// They block (HTTP), bounded by their configured timeouts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hub::cms::connectors {

using Json = nlohmann::json;

// What to send. `variant` is the content as adapted for this account: {"type", "title",
// "body" (text or sanitized HTML), "cover_url", "image_urls":[...], "video_url", "item_id"}.
// `account` holds the account's platform settings with its credentials already decrypted:
// webhook {"url", "secret", "lookup_url"}, wechat_oa {"app_id", "app_secret", "base_url"},
// weibo {"access_token", "base_url"}, douyin {"access_token", "open_id", "base_url"}.
// `idempotencyKey` is the same for every attempt of one (item, account, due time).
struct PublishRequest {
  std::int64_t itemId = 0;
  std::int64_t accountId = 0;
  std::string platform;  // "webhook", "wechat_oa", "weibo", "douyin", ...
  Json variant = Json::object();
  Json account = Json::object();
  std::string idempotencyKey;
  // What an earlier attempt learnt on the way (WeChat: the draft's media_id, the publish_id),
  // so a retry or a lookup continues instead of starting over; connectors update it.
  Json progress = Json::object();
};

enum class Outcome {
  Posted,     // the platform has it: remoteId says where
  Retryable,  // the platform certainly does not have it and a later try may work
  Permanent,  // the platform refused it for good (bad credentials, content refused)
  Unknown,    // it may or may not have arrived (timeout after sending, 5xx): ask lookup()
};
std::string_view outcomeName(Outcome o);

struct PublishResult {
  Outcome outcome = Outcome::Unknown;
  std::string remoteId;  // Posted
  std::string code;      // stable: "connector.timeout", "wechat.40001", "http.503"
  std::string message;   // for people; never holds a credential
  Json progress = Json::object();
};

enum class Found { Yes, No, Unknown };
struct LookupResult {
  Found found = Found::Unknown;
  std::string remoteId;
  std::string message;
  Json progress = Json::object();
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string_view platform() const = 0;
  virtual PublishResult publish(const PublishRequest& request) = 0;
  // Did an attempt with this request's idempotency key (or remote ids in its progress) reach
  // the platform? Found::Unknown when the platform cannot tell or cannot be reached.
  virtual LookupResult lookup(const PublishRequest& request) = 0;
};

}  // namespace hub::cms::connectors
