// cms/connectors/tests/webhook_test.cpp: what the webhook connector sends and how it reads
// the answers, over a scripted HTTP client.
#include <gtest/gtest.h>

#include "cms/connectors/connector_set.h"
#include "cms/connectors/signing.h"
#include "cms/connectors/tests/scripted_http.h"
#include "cms/connectors/webhook_connector.h"

namespace hub::cms::connectors {
namespace {

using test::answer;
using test::ScriptedHttp;

PublishRequest request() {
  PublishRequest r;
  r.itemId = 7;
  r.accountId = 3;
  r.platform = "website";
  r.variant = {{"title", "职工运动会"}, {"body", "<p>正文</p>"}};
  r.account = {{"url", "http://127.0.0.1:1/hook"},
               {"lookup_url", "http://127.0.0.1:1/hook/lookup"},
               {"secret", "s3cret"}};
  r.idempotencyKey = "7:3:1800000000";
  return r;
}

TEST(WebhookConnector, SignsTheBodyAndTheTimestamp) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/hook", answer(200, R"({"id":"remote-1"})"));
  WebhookConnector c(http, clock);
  PublishResult res = c.publish(request());
  ASSERT_EQ(res.outcome, Outcome::Posted);
  EXPECT_EQ(res.remoteId, "remote-1");
  ASSERT_EQ(http.sent.size(), 1u);
  const HttpRequest& sent = http.sent[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.headers.at("X-Hub-Signature"), webhookSignature("s3cret", sent.body));
  EXPECT_EQ(sent.headers.at("X-Hub-Timestamp"), "1800000000");
  EXPECT_EQ(sent.headers.at("X-Hub-Signature-Timestamped"),
            webhookTimestampedSignature("s3cret", 1800000000, sent.body));
  EXPECT_EQ(sent.headers.at("Idempotency-Key"), "7:3:1800000000");
  auto body = Json::parse(sent.body);
  EXPECT_EQ(body["item_id"], 7);
  EXPECT_EQ(body["variant"]["title"], "职工运动会");
  EXPECT_EQ(sent.body.find("s3cret"), std::string::npos) << "the secret never travels";
}

TEST(WebhookConnector, OutcomesFollowTheTransportAndStatus) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/hook", test::transport(HttpResponse::Transport::Timeout), 1);
  http.on("/hook", answer(503, ""), 1);
  http.on("/hook", answer(422, ""), 1);
  http.on("/hook", test::transport(HttpResponse::Transport::NotSent), 1);
  WebhookConnector c(http, clock);
  EXPECT_EQ(c.publish(request()).outcome, Outcome::Unknown);
  EXPECT_EQ(c.publish(request()).outcome, Outcome::Retryable);
  EXPECT_EQ(c.publish(request()).outcome, Outcome::Permanent);
  EXPECT_EQ(c.publish(request()).outcome, Outcome::Retryable);
}

TEST(WebhookConnector, LookupAsksByIdempotencyKey) {
  FakeClock clock;
  ScriptedHttp http;
  http.on("/hook/lookup", answer(200, R"({"id":"remote-9"})"), 1);
  http.on("/hook/lookup", answer(404, "{}"), 1);
  http.on("/hook/lookup", answer(500, "{}"), 1);
  WebhookConnector c(http, clock);
  auto yes = c.lookup(request());
  EXPECT_EQ(yes.found, Found::Yes);
  EXPECT_EQ(yes.remoteId, "remote-9");
  EXPECT_NE(http.sent[0].url.find("idempotency_key=7%3A3%3A1800000000"), std::string::npos);
  EXPECT_EQ(c.lookup(request()).found, Found::No);
  EXPECT_EQ(c.lookup(request()).found, Found::Unknown);
}

TEST(WebhookConnector, NoUrlIsPermanent) {
  FakeClock clock;
  ScriptedHttp http;
  WebhookConnector c(http, clock);
  auto r = request();
  r.account = Json::object();
  EXPECT_EQ(c.publish(r).outcome, Outcome::Permanent);
  EXPECT_TRUE(http.sent.empty());
}

TEST(ConnectorSet, PicksByConnectorSettingThenPlatform) {
  FakeClock clock;
  ScriptedHttp http;
  ConnectorSet set(ConnectorOptions{}, clock, http);
  EXPECT_EQ(set.forAccount("wechat_oa", Json::object()).platform(), "wechat_oa");
  EXPECT_EQ(set.forAccount("weibo", Json::object()).platform(), "weibo");
  EXPECT_EQ(set.forAccount("douyin", Json::object()).platform(), "douyin");
  EXPECT_EQ(set.forAccount("website", Json::object()).platform(), "webhook");
  EXPECT_EQ(set.forAccount("weibo", Json{{"connector", "webhook"}}).platform(), "webhook");
  ConnectorOptions dry;
  dry.dryRun = true;
  ConnectorSet drySet(dry, clock, http);
  auto& c = drySet.forAccount("wechat_oa", Json::object());
  EXPECT_EQ(c.platform(), "dry_run");
  auto res = c.publish(request());
  EXPECT_EQ(res.outcome, Outcome::Posted);
  EXPECT_TRUE(http.sent.empty()) << "a dry run sends nothing";
  ASSERT_EQ(drySet.dryRun().sent().size(), 1u);
  EXPECT_TRUE(drySet.dryRun().sent()[0].account.empty()) << "credentials are not kept";
  EXPECT_EQ(c.lookup(request()).found, Found::Yes);
}

}  // namespace
}  // namespace hub::cms::connectors
