// cms/accounts/tests/platform_limits_test.cpp
//
// The limits table and variant validation: per-field messages, characters not bytes.
#include <gtest/gtest.h>

#include "cms/accounts/platform_limits.h"

namespace hub::cms::accounts {
namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

Variant article(std::string title, std::string body) {
  Variant v;
  v.type = ContentType::Article;
  v.title = std::move(title);
  v.body = std::move(body);
  v.hasCover = true;
  return v;
}

TEST(PlatformLimits, NamesRoundTripForEveryPlatform) {
  EXPECT_EQ(allPlatforms().size(), 10u);
  for (auto p : allPlatforms()) EXPECT_EQ(parsePlatform(platformName(p)), p);
  EXPECT_EQ(parsePlatform("wechat_oa"), Platform::WechatOa);
  EXPECT_FALSE(parsePlatform("myspace"));
  EXPECT_EQ(parseContentType("image_post"), ContentType::ImagePost);
  EXPECT_FALSE(parseContentType("podcast"));
}

TEST(PlatformLimits, WechatSubscriptionAccountSendsOncePerDay) {
  EXPECT_EQ(limitsFor(Platform::WechatOa).postsPerDay, 1);
  EXPECT_EQ(limitsFor(Platform::Website).postsPerDay, 0);
}

TEST(PlatformLimits, ValidArticleHasNoErrors) {
  EXPECT_TRUE(validateVariant(Platform::WechatOa, article("工会新闻", "正文")).empty());
}

TEST(PlatformLimits, TitleCountsCharactersNotBytes) {
  // 64 Chinese characters are 192 bytes and still fit WeChat's 64-character title.
  EXPECT_TRUE(validateVariant(Platform::WechatOa, article(repeat("中", 64), "x")).empty());
  auto errors = validateVariant(Platform::WechatOa, article(repeat("中", 65), "x"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors["title"], "at most 64 characters on wechat_oa (got 65)");
}

TEST(PlatformLimits, BodyTooLongIsABodyError) {
  Variant v;
  v.type = ContentType::Article;
  v.body = repeat("微", 2001);
  auto errors = validateVariant(Platform::Weibo, v);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors["body"], "at most 2000 characters on weibo (got 2001)");
}

TEST(PlatformLimits, ToutiaoTitleHasAMinimum) {
  auto errors = validateVariant(Platform::Toutiao, article("短标题", "x"));
  EXPECT_EQ(errors["title"], "at least 5 characters on toutiao (got 3)");
}

TEST(PlatformLimits, WeiboHasNoTitleAndWechatNeedsOne) {
  EXPECT_EQ(validateVariant(Platform::Weibo, article("标题", "x"))["title"], "weibo posts have no title");
  auto errors = validateVariant(Platform::WechatOa, article("", "x"));
  EXPECT_EQ(errors["title"], "required on wechat_oa");
}

TEST(PlatformLimits, CoverRequiredOnWechat) {
  Variant v = article("标题", "x");
  v.hasCover = false;
  EXPECT_EQ(validateVariant(Platform::WechatOa, v)["cover"], "required on wechat_oa");
  EXPECT_FALSE(validateVariant(Platform::Website, v).contains("cover"));
}

TEST(PlatformLimits, ImagesCountAndSize) {
  Variant v;
  v.type = ContentType::ImagePost;
  for (int i = 0; i < 10; ++i) v.images.push_back({.id = std::to_string(i), .bytes = 1000});
  EXPECT_EQ(validateVariant(Platform::Weibo, v)["images"], "at most 9 images on weibo (got 10)");
  v.images.resize(2);
  v.images[1].bytes = 21ULL * 1024 * 1024;
  EXPECT_EQ(validateVariant(Platform::Weibo, v)["images"], "image 1 is larger than 20 MiB allowed on weibo");
  v.images.clear();
  EXPECT_EQ(validateVariant(Platform::Weibo, v)["images"], "an image post needs at least one image");
}

TEST(PlatformLimits, VideoSizeAndTypes) {
  Variant v;
  v.type = ContentType::Video;
  v.title = "视频";
  v.hasCover = true;
  EXPECT_EQ(validateVariant(Platform::Douyin, v)["video"], "a video post needs a video");
  v.video = VariantMedia{.id = "m7", .bytes = 11ULL * 1024 * 1024};
  EXPECT_EQ(validateVariant(Platform::WechatOa, v)["video"],
            "video m7 is larger than 10 MiB allowed on wechat_oa");
  EXPECT_TRUE(validateVariant(Platform::Douyin, v).empty());
  v.type = ContentType::Article;
  EXPECT_EQ(validateVariant(Platform::Douyin, v)["type"], "douyin does not accept article");
}

TEST(PlatformLimits, InvalidUtf8IsRefused) {
  EXPECT_EQ(validateVariant(Platform::Website, article("ok", "\xC3\x28"))["body"], "not valid UTF-8");
  EXPECT_FALSE(utf8Length("\xE0\x80\xAF"));  // overlong '/'
  EXPECT_FALSE(utf8Length("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(utf8Length("a中😀"), 3u);
}

}  // namespace
}  // namespace hub::cms::accounts
