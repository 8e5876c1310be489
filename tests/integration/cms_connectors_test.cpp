// tests/integration/cms_connectors_test.cpp
//
// The CMS connectors over real HTTP (libcurl) against the fake platform server
// (tests/support/fake_platform): webhook signatures checked by the receiver, WeChat's token,
// draft and publish calls, Weibo and Douyin, and how timeouts and refused connections come out.
#include <gtest/gtest.h>

#include "cms/connectors/connector_set.h"
#include "tests/support/fake_platform/fake_platform.h"

namespace hub::cms::connectors {
namespace {

using namespace std::chrono_literals;

ConnectorOptions options(const test::FakePlatform& fake) {
  ConnectorOptions o;
  o.timeouts.connect = 2000ms;
  o.timeouts.total = 1500ms;
  o.wechatBaseUrl = fake.url();
  o.weiboBaseUrl = fake.url();
  o.douyinBaseUrl = fake.url();
  o.wechatPollInterval = 0ms;
  return o;
}

PublishRequest webhookRequest(const test::FakePlatform& fake, std::string key) {
  PublishRequest r;
  r.itemId = 11;
  r.accountId = 22;
  r.platform = "website";
  r.variant = {{"title", "劳模表彰大会"}, {"body", "<p>正文</p>"}};
  r.account = {{"url", fake.url() + "/hook/site"},
               {"lookup_url", fake.url() + "/hook/site/lookup"},
               {"secret", fake.secret()}};
  r.idempotencyKey = std::move(key);
  return r;
}

TEST(CmsConnectors, WebhookIsSignedAndFoundByItsKey) {
  test::FakePlatform fake("shared-secret");
  ConnectorSet set(options(fake), SystemClock::instance());
  auto r = webhookRequest(fake, "hub-1-11-22-0");
  auto& c = set.forAccount("website", r.account);
  EXPECT_EQ(c.lookup(r).found, Found::No);
  auto res = c.publish(r);
  ASSERT_EQ(res.outcome, Outcome::Posted) << res.code << " " << res.message;
  auto posts = fake.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0]["item_id"], 11);
  EXPECT_EQ(posts[0]["account_id"], 22);
  EXPECT_EQ(posts[0]["title"], "劳模表彰大会");
  EXPECT_EQ(fake.stats()["bad_signatures"], 0);
  auto found = c.lookup(r);
  EXPECT_EQ(found.found, Found::Yes);
  EXPECT_EQ(found.remoteId, res.remoteId);
}

TEST(CmsConnectors, WebhookWithTheWrongSecretIsRefusedForGood) {
  test::FakePlatform fake("shared-secret");
  ConnectorSet set(options(fake), SystemClock::instance());
  auto r = webhookRequest(fake, "k1");
  r.account["secret"] = "not-the-secret";
  auto res = set.forAccount("website", r.account).publish(r);
  EXPECT_EQ(res.outcome, Outcome::Permanent);
  EXPECT_EQ(res.code, "http.401");
  EXPECT_EQ(fake.stats()["bad_signatures"], 1);
  EXPECT_TRUE(fake.posts().empty());
}

TEST(CmsConnectors, ATimeoutAfterTheRequestArrivedIsUnknownAndLookupFindsIt) {
  test::FakePlatform fake;
  fake.configure({{"hang_next", 1}, {"hang_ms", 3000}});
  ConnectorSet set(options(fake), SystemClock::instance());
  auto r = webhookRequest(fake, "k-timeout");
  auto& c = set.forAccount("website", r.account);
  auto res = c.publish(r);
  EXPECT_EQ(res.outcome, Outcome::Unknown);
  EXPECT_EQ(res.code, "connector.timeout");
  EXPECT_EQ(c.lookup(r).found, Found::Yes) << "the platform had it all along";
}

TEST(CmsConnectors, A503IsRetryableAndARefusedConnectionToo) {
  test::FakePlatform fake;
  fake.configure({{"fail_next", 1}, {"fail_status", 503}});
  ConnectorSet set(options(fake), SystemClock::instance());
  auto r = webhookRequest(fake, "k-503");
  EXPECT_EQ(set.forAccount("website", r.account).publish(r).outcome, Outcome::Retryable);
  r.account["url"] = "http://127.0.0.1:" + std::to_string(hub::test::freePort()) + "/hook";
  auto refused = set.forAccount("website", r.account).publish(r);
  EXPECT_EQ(refused.outcome, Outcome::Retryable);
  EXPECT_EQ(refused.code, "connector.unreachable");
}

TEST(CmsConnectors, WechatTokenDraftPublishAndRefreshAfterExpiry) {
  test::FakePlatform fake;
  ConnectorSet set(options(fake), SystemClock::instance());
  PublishRequest r;
  r.itemId = 1;
  r.accountId = 2;
  r.platform = "wechat_oa";
  r.variant = {{"title", "公众号推送"}, {"body", "<p>内容</p>"}};
  r.account = {{"app_id", "wx1"}, {"app_secret", "s"}};
  r.idempotencyKey = "w1";
  auto& c = set.forAccount("wechat_oa", r.account);
  auto res = c.publish(r);
  ASSERT_EQ(res.outcome, Outcome::Posted) << res.code << " " << res.message;
  EXPECT_FALSE(res.remoteId.empty());
  EXPECT_EQ(fake.stats()["token_fetches"], 1);
  // The platform forgets its tokens: the connector gets a 40001, fetches a new one, goes on.
  fake.configure({{"expire_tokens", true}});
  r.variant["title"] = "第二篇";
  auto second = c.publish(r);
  ASSERT_EQ(second.outcome, Outcome::Posted) << second.code;
  EXPECT_EQ(fake.stats()["token_fetches"], 2);
  auto posts = fake.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1]["title"], "第二篇");
  // A publish still in progress at the platform: unknown, then found by lookup once done.
  fake.configure({{"publish_status", 1}});
  r.variant["title"] = "第三篇";
  auto pending = c.publish(r);
  EXPECT_EQ(pending.outcome, Outcome::Unknown);
  r.progress = pending.progress;
  EXPECT_EQ(c.lookup(r).found, Found::Unknown);
}

TEST(CmsConnectors, WechatBadCredentialsArePermanent) {
  test::FakePlatform fake;
  ConnectorSet set(options(fake), SystemClock::instance());
  PublishRequest r;
  r.platform = "wechat_oa";
  r.account = {{"app_id", "wx1"}, {"app_secret", "wrong"}};
  auto res = set.forAccount("wechat_oa", r.account).publish(r);
  EXPECT_EQ(res.outcome, Outcome::Permanent);
  EXPECT_EQ(res.code, "wechat.40013");
}

TEST(CmsConnectors, WeiboPostsAndARepeatIsReconciled) {
  test::FakePlatform fake;
  ConnectorSet set(options(fake), SystemClock::instance());
  PublishRequest r;
  r.platform = "weibo";
  r.variant = {{"title", ""}, {"body", "今日工会要闻 https://example.org/a"}};
  r.account = {{"access_token", "weibo-token"}};
  auto& c = set.forAccount("weibo", r.account);
  auto res = c.publish(r);
  ASSERT_EQ(res.outcome, Outcome::Posted) << res.code;
  auto again = c.publish(r);
  EXPECT_EQ(again.outcome, Outcome::Unknown) << "20019: the same text is there already";
  auto l = c.lookup(r);
  EXPECT_EQ(l.found, Found::Yes);
  EXPECT_EQ(l.remoteId, res.remoteId);
}

TEST(CmsConnectors, DouyinCreatesAVideoFromAnUploadedId) {
  test::FakePlatform fake;
  ConnectorSet set(options(fake), SystemClock::instance());
  PublishRequest r;
  r.platform = "douyin";
  r.variant = {{"title", "健步走挑战"}, {"body", ""}, {"douyin_video_id", "v-up-1"}};
  r.account = {{"access_token", "dy-token"}, {"open_id", "open-1"}};
  auto& c = set.forAccount("douyin", r.account);
  EXPECT_EQ(c.lookup(r).found, Found::No);
  auto res = c.publish(r);
  ASSERT_EQ(res.outcome, Outcome::Posted) << res.code;
  auto l = c.lookup(r);
  EXPECT_EQ(l.found, Found::Yes);
  EXPECT_EQ(l.remoteId, res.remoteId);
  r.variant.erase("douyin_video_id");
  EXPECT_EQ(c.publish(r).outcome, Outcome::Permanent) << "no video, nothing to post";
}

}  // namespace
}  // namespace hub::cms::connectors
