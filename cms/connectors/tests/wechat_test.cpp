// cms/connectors/tests/wechat_test.cpp: the access_token cache (injected clock) and the
// draft -> submit -> status flow of the WeChat connector, over a scripted HTTP client.
#include <gtest/gtest.h>

#include "cms/connectors/tests/scripted_http.h"
#include "cms/connectors/wechat_connector.h"
#include "cms/connectors/wechat_token_cache.h"

namespace hub::cms::connectors {
namespace {

using test::answer;
using test::ScriptedHttp;
using namespace std::chrono_literals;

TEST(WechatTokenCache, CachesUntilExpiryMinusMargin) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T1","expires_in":7200})"), 1);
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T2","expires_in":7200})"), 1);
  WechatTokenCache cache(http, clock, 300s);
  EXPECT_EQ(*cache.get("http://wx", "app", "sec"), "T1");
  clock.advance(6899s);
  EXPECT_EQ(*cache.get("http://wx", "app", "sec"), "T1");
  EXPECT_EQ(cache.fetches(), 1);
  clock.advance(2s);  // 6901 s: inside the 300 s margin before 7200
  EXPECT_EQ(*cache.get("http://wx", "app", "sec"), "T2");
  EXPECT_EQ(cache.fetches(), 2);
  EXPECT_NE(http.sent[0].url.find("grant_type=client_credential&appid=app&secret=sec"), std::string::npos);
}

TEST(WechatTokenCache, InvalidateDropsOnlyTheTokenItNames) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T1","expires_in":7200})"), 1);
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T2","expires_in":7200})"), 1);
  WechatTokenCache cache(http, clock);
  EXPECT_EQ(*cache.get("b", "app", "s"), "T1");
  cache.invalidate("b", "app", "stale-other");
  EXPECT_EQ(*cache.get("b", "app", "s"), "T1");
  cache.invalidate("b", "app", "T1");
  EXPECT_EQ(*cache.get("b", "app", "s"), "T2");
}

TEST(WechatTokenCache, RefusedCredentialsAreAnError) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"errcode":40013,"errmsg":"invalid appid"})"));
  WechatTokenCache cache(http, clock);
  auto t = cache.get("b", "app", "s");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, "wechat.40013");
}

PublishRequest request() {
  PublishRequest r;
  r.itemId = 1;
  r.accountId = 2;
  r.platform = "wechat_oa";
  r.variant = {{"title", "标题"}, {"body", "<p>正文</p>"}};
  r.account = {{"app_id", "wxapp"}, {"app_secret", "sec"}, {"base_url", "http://wx"}};
  r.idempotencyKey = "1:2:0";
  return r;
}

WechatOptions fastPolls() {
  WechatOptions o;
  o.statusPolls = 2;
  o.pollInterval = 0ms;
  return o;
}

TEST(WechatConnector, DraftThenSubmitThenStatus) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T1","expires_in":7200})"));
  http.on("/cgi-bin/draft/add", answer(200, R"({"media_id":"M1"})"));
  http.on("/cgi-bin/freepublish/submit", answer(200, R"({"errcode":0,"errmsg":"ok","publish_id":"P1"})"));
  http.on("/cgi-bin/freepublish/get", answer(200, R"({"publish_id":"P1","publish_status":1})"), 1);
  http.on("/cgi-bin/freepublish/get",
          answer(200, R"({"publish_id":"P1","publish_status":0,"article_id":"A1"})"));
  WechatTokenCache tokens(http, clock);
  WechatConnector c(http, tokens, fastPolls());
  auto res = c.publish(request());
  ASSERT_EQ(res.outcome, Outcome::Posted) << res.code << " " << res.message;
  EXPECT_EQ(res.remoteId, "A1");
  EXPECT_EQ(res.progress["media_id"], "M1");
  EXPECT_EQ(res.progress["publish_id"], "P1");
  auto draft = Json::parse(http.sent[1].body);
  EXPECT_EQ(draft["articles"][0]["title"], "标题");
  EXPECT_NE(http.sent[1].url.find("access_token=T1"), std::string::npos);
}

TEST(WechatConnector, RefreshesTheTokenOn40001AndTriesOnce) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"OLD","expires_in":7200})"), 1);
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"NEW","expires_in":7200})"), 1);
  http.on("/cgi-bin/draft/add", answer(200, R"({"errcode":40001,"errmsg":"invalid credential"})"), 1);
  http.on("/cgi-bin/draft/add", answer(200, R"({"media_id":"M1"})"));
  http.on("/cgi-bin/freepublish/submit", answer(200, R"({"errcode":0,"publish_id":"P1"})"));
  http.on("/cgi-bin/freepublish/get", answer(200, R"({"publish_status":0,"article_id":"A1"})"));
  WechatTokenCache tokens(http, clock);
  WechatConnector c(http, tokens, fastPolls());
  auto res = c.publish(request());
  ASSERT_EQ(res.outcome, Outcome::Posted);
  EXPECT_EQ(tokens.fetches(), 2);
  EXPECT_NE(http.sent.back().url.find("access_token=NEW"), std::string::npos);
}

TEST(WechatConnector, ASubmitTimeoutIsUnknownAndKeepsTheDraft) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T","expires_in":7200})"));
  http.on("/cgi-bin/draft/add", answer(200, R"({"media_id":"M1"})"));
  http.on("/cgi-bin/freepublish/submit", test::transport(HttpResponse::Transport::Timeout));
  WechatTokenCache tokens(http, clock);
  WechatConnector c(http, tokens, fastPolls());
  auto res = c.publish(request());
  EXPECT_EQ(res.outcome, Outcome::Unknown);
  EXPECT_EQ(res.progress["media_id"], "M1");
  // A later attempt with that progress never makes a second draft.
  http.on("/cgi-bin/freepublish/batchget",
          answer(200, R"({"item":[{"article_id":"A7","content":{"news_item":[{"title":"标题"}]}}]})"));
  auto r = request();
  r.progress = res.progress;
  auto l = c.lookup(r);
  EXPECT_EQ(l.found, Found::Yes);
  EXPECT_EQ(l.remoteId, "A7");
  EXPECT_EQ(http.count("/cgi-bin/draft/add"), 1);
}

TEST(WechatConnector, ADraftTimeoutIsRetryable) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T","expires_in":7200})"));
  http.on("/cgi-bin/draft/add", test::transport(HttpResponse::Transport::Timeout));
  WechatTokenCache tokens(http, clock);
  WechatConnector c(http, tokens, fastPolls());
  EXPECT_EQ(c.publish(request()).outcome, Outcome::Retryable);
  EXPECT_EQ(http.count("/cgi-bin/freepublish/submit"), 0);
}

TEST(WechatConnector, AKnownPublishIdIsOnlyAskedNeverSubmittedAgain) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/cgi-bin/token", answer(200, R"({"access_token":"T","expires_in":7200})"));
  http.on("/cgi-bin/freepublish/get", answer(200, R"({"publish_status":0,"article_id":"A1"})"));
  WechatTokenCache tokens(http, clock);
  WechatConnector c(http, tokens, fastPolls());
  auto r = request();
  r.progress = {{"media_id", "M1"}, {"publish_id", "P1"}};
  auto res = c.publish(r);
  EXPECT_EQ(res.outcome, Outcome::Posted);
  EXPECT_EQ(http.count("/cgi-bin/freepublish/submit"), 0);
  EXPECT_EQ(http.count("/cgi-bin/draft/add"), 0);
}

}  // namespace
}  // namespace hub::cms::connectors
