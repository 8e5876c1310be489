// cms/accounts/platform_limits.cpp
//
// The limits table. Numbers follow each platform's public publishing rules where they state
// one and stay on the conservative side where they do not; docs/cms.md lists them.
#include "cms/accounts/platform_limits.h"

#include <spdlog/fmt/fmt.h>
#include <array>

namespace hub::cms::accounts {
namespace {

constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
constexpr std::uint64_t kGiB = 1024ULL * kMiB;

using CT = ContentType;

struct Entry {
  Platform platform;
  std::string_view name;
};

constexpr std::array<Entry, 10> kNames{{
    {Platform::WechatOa, "wechat_oa"},
    {Platform::WechatChannels, "wechat_channels"},
    {Platform::Weibo, "weibo"},
    {Platform::Douyin, "douyin"},
    {Platform::Kuaishou, "kuaishou"},
    {Platform::Bilibili, "bilibili"},
    {Platform::Toutiao, "toutiao"},
    {Platform::Xiaohongshu, "xiaohongshu"},
    {Platform::App, "app"},
    {Platform::Website, "website"},
}};

constexpr std::array<Platform, 10> kAll{
    Platform::WechatOa, Platform::WechatChannels, Platform::Weibo,       Platform::Douyin, Platform::Kuaishou,
    Platform::Bilibili, Platform::Toutiao,        Platform::Xiaohongshu, Platform::App,    Platform::Website};

const std::vector<CT> kAllTypes{CT::Article, CT::Video, CT::ImagePost, CT::LiveAnnouncement};

// Indexed by Platform.
const std::array<PlatformLimits, 10>& table() {
  static const std::array<PlatformLimits, 10> t{{
      // WeChat official account: article title 64, body under 20,000 characters, permanent
      // material images 10 MB, video 10 MB (longer videos go through Channels); a
      // subscription account may mass-send once a day.
      {.titleMin = 1,
       .titleMax = 64,
       .bodyMax = 20000,
       .imagesMax = 20,
       .imageBytesMax = 10 * kMiB,
       .videoBytesMax = 10 * kMiB,
       .postsPerDay = 1,
       .coverRequired = true,
       .types = kAllTypes},
      // WeChat Channels: short videos and image posts with a short title and a description.
      {.titleMin = 0,
       .titleMax = 16,
       .bodyMax = 1000,
       .imagesMax = 9,
       .imageBytesMax = 10 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = {CT::Video, CT::ImagePost, CT::LiveAnnouncement}},
      // Weibo: no title, 2,000 characters, 9 images of 20 MB, video up to 4 GB.
      {.titleMin = 0,
       .titleMax = 0,
       .bodyMax = 2000,
       .imagesMax = 9,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = kAllTypes},
      // Douyin: title 55, description 1,000 (hashtags included), image posts up to 35.
      {.titleMin = 0,
       .titleMax = 55,
       .bodyMax = 1000,
       .imagesMax = 35,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = {CT::Video, CT::ImagePost, CT::LiveAnnouncement}},
      // Kuaishou: caption 500, video up to 4 GB, image posts up to 31.
      {.titleMin = 0,
       .titleMax = 0,
       .bodyMax = 500,
       .imagesMax = 31,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = {CT::Video, CT::ImagePost, CT::LiveAnnouncement}},
      // Bilibili: video title 80, description 2,000; columns (articles) too.
      {.titleMin = 1,
       .titleMax = 80,
       .bodyMax = 2000,
       .imagesMax = 20,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 8 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = {CT::Article, CT::Video, CT::LiveAnnouncement}},
      // Toutiao: article title 5 to 30 characters.
      {.titleMin = 5,
       .titleMax = 30,
       .bodyMax = 50000,
       .imagesMax = 20,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = kAllTypes},
      // Xiaohongshu: title 20, body 1,000, up to 18 images.
      {.titleMin = 1,
       .titleMax = 20,
       .bodyMax = 1000,
       .imagesMax = 18,
       .imageBytesMax = 20 * kMiB,
       .videoBytesMax = 4 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = {CT::Video, CT::ImagePost, CT::LiveAnnouncement}},
      // Our own app and website: generous.
      {.titleMin = 1,
       .titleMax = 200,
       .bodyMax = 200000,
       .imagesMax = 100,
       .imageBytesMax = 50 * kMiB,
       .videoBytesMax = 16 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = kAllTypes},
      {.titleMin = 1,
       .titleMax = 200,
       .bodyMax = 200000,
       .imagesMax = 100,
       .imageBytesMax = 50 * kMiB,
       .videoBytesMax = 16 * kGiB,
       .postsPerDay = 0,
       .coverRequired = false,
       .types = kAllTypes},
  }};
  return t;
}

std::string mib(std::uint64_t bytes) {
  if (bytes % kGiB == 0) return fmt::format("{} GiB", bytes / kGiB);
  return fmt::format("{} MiB", bytes / kMiB);
}

}  // namespace

std::string_view platformName(Platform p) { return kNames[static_cast<std::size_t>(p)].name; }

std::optional<Platform> parsePlatform(std::string_view name) {
  for (const auto& e : kNames)
    if (e.name == name) return e.platform;
  return std::nullopt;
}

std::span<const Platform> allPlatforms() { return kAll; }

std::string_view contentTypeName(ContentType t) {
  switch (t) {
    case ContentType::Article:
      return "article";
    case ContentType::Video:
      return "video";
    case ContentType::ImagePost:
      return "image_post";
    case ContentType::LiveAnnouncement:
      return "live_announcement";
  }
  return "article";
}

std::optional<ContentType> parseContentType(std::string_view name) {
  for (auto t : kAllTypes)
    if (contentTypeName(t) == name) return t;
  return std::nullopt;
}

const PlatformLimits& limitsFor(Platform p) { return table()[static_cast<std::size_t>(p)]; }

std::optional<std::size_t> utf8Length(std::string_view s) {
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += len;
    ++n;
  }
  return n;
}

FieldErrors validateVariant(Platform p, const Variant& v) {
  const PlatformLimits& l = limitsFor(p);
  const std::string_view name = platformName(p);
  FieldErrors errors;

  bool typeOk = false;
  for (auto t : l.types) typeOk = typeOk || t == v.type;
  if (!typeOk) errors["type"] = fmt::format("{} does not accept {}", name, contentTypeName(v.type));

  if (auto n = utf8Length(v.title); !n) {
    errors["title"] = "not valid UTF-8";
  } else if (l.titleMax == 0 && *n > 0) {
    errors["title"] = fmt::format("{} posts have no title", name);
  } else if (*n < l.titleMin) {
    errors["title"] = l.titleMin == 1
                          ? fmt::format("required on {}", name)
                          : fmt::format("at least {} characters on {} (got {})", l.titleMin, name, *n);
  } else if (l.titleMax > 0 && *n > l.titleMax) {
    errors["title"] = fmt::format("at most {} characters on {} (got {})", l.titleMax, name, *n);
  }

  if (auto n = utf8Length(v.body); !n) {
    errors["body"] = "not valid UTF-8";
  } else if (*n > l.bodyMax) {
    errors["body"] = fmt::format("at most {} characters on {} (got {})", l.bodyMax, name, *n);
  }

  if (l.coverRequired && !v.hasCover) errors["cover"] = fmt::format("required on {}", name);

  if (v.images.size() > l.imagesMax) {
    errors["images"] = fmt::format("at most {} images on {} (got {})", l.imagesMax, name, v.images.size());
  } else {
    for (const auto& img : v.images) {
      if (img.bytes > l.imageBytesMax) {
        errors["images"] =
            fmt::format("image {} is larger than {} allowed on {}", img.id, mib(l.imageBytesMax), name);
        break;
      }
    }
  }

  if (v.video) {
    if (l.videoBytesMax == 0)
      errors["video"] = fmt::format("{} accepts no video", name);
    else if (v.video->bytes > l.videoBytesMax)
      errors["video"] =
          fmt::format("video {} is larger than {} allowed on {}", v.video->id, mib(l.videoBytesMax), name);
  } else if (v.type == ContentType::Video) {
    errors["video"] = "a video post needs a video";
  }
  if (v.type == ContentType::ImagePost && v.images.empty() && !errors.contains("images"))
    errors["images"] = "an image post needs at least one image";
  return errors;
}

}  // namespace hub::cms::accounts
