// cms/accounts/platform_limits.h
//
// What each publishing platform accepts, in one table: title and body length (in characters,
// i.e. Unicode code points), how many images, video size, which content types, and how many
// posts an account may send per day (a WeChat subscription account gets one mass send per
// day). The content API validates variants with it when they are saved, and the scheduler
// (cms/schedule) validates again and enforces postsPerDay when it schedules. Pure functions,
// no I/O: safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hub::cms::accounts {

enum class Platform {
  WechatOa,
  WechatChannels,
  Weibo,
  Douyin,
  Kuaishou,
  Bilibili,
  Toutiao,
  Xiaohongshu,
  App,
  Website,
};

// The API and storage spelling: "wechat_oa", "wechat_channels", "weibo", "douyin", "kuaishou",
// "bilibili", "toutiao", "xiaohongshu", "app", "website".
std::string_view platformName(Platform p);
std::optional<Platform> parsePlatform(std::string_view name);
std::span<const Platform> allPlatforms();

// Content types (cms/content): "article", "video", "image_post", "live_announcement".
enum class ContentType { Article, Video, ImagePost, LiveAnnouncement };
std::string_view contentTypeName(ContentType t);
std::optional<ContentType> parseContentType(std::string_view name);

struct PlatformLimits {
  std::size_t titleMin = 0;         // characters; 0 = a title may be empty
  std::size_t titleMax = 0;         // characters; 0 = the platform has no title field
  std::size_t bodyMax = 0;          // characters of the text sent (plain text or HTML)
  std::size_t imagesMax = 0;        // images attached (the cover is not counted)
  std::uint64_t imageBytesMax = 0;  // per image
  std::uint64_t videoBytesMax = 0;  // 0 = no video accepted
  int postsPerDay = 0;              // per account and Asia/Shanghai calendar day; 0 = no limit
  bool coverRequired = false;
  std::vector<ContentType> types;  // content types the platform accepts
};

const PlatformLimits& limitsFor(Platform p);

// What is validated: one variant of a content item, as adapted for one account.
struct VariantMedia {
  std::string id;  // media library id (for messages only)
  std::uint64_t bytes = 0;
};
struct Variant {
  ContentType type = ContentType::Article;
  std::string title;  // UTF-8
  std::string body;   // UTF-8, the text as it will be sent
  bool hasCover = false;
  std::vector<VariantMedia> images;
  std::optional<VariantMedia> video;
};

// Field name -> message for people ("title": "at most 64 characters on wechat_oa (got 70)").
// Field names: "type", "title", "body", "cover", "images", "video". Empty when valid.
using FieldErrors = std::map<std::string, std::string>;
FieldErrors validateVariant(Platform p, const Variant& v);

// Code points in UTF-8 text, or nullopt when the bytes are not valid UTF-8.
std::optional<std::size_t> utf8Length(std::string_view s);

}  // namespace hub::cms::accounts
