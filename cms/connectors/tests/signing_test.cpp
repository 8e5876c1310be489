// cms/connectors/tests/signing_test.cpp: HMAC-SHA256 and the webhook signature headers.
#include <gtest/gtest.h>

#include "cms/connectors/http_outcome.h"
#include "cms/connectors/signing.h"

namespace hub::cms::connectors {
namespace {

TEST(Signing, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signing, WebhookSignatureIsPrefixedHexOfTheBody) {
  std::string body = R"({"title":"工会"})";
  EXPECT_EQ(webhookSignature("s3cret", body), "sha256=" + hmacSha256Hex("s3cret", body));
  EXPECT_NE(webhookSignature("s3cret", body), webhookSignature("other", body));
  EXPECT_EQ(webhookTimestampedSignature("k", 1700000000, "b"),
            "sha256=" + hmacSha256Hex("k", "1700000000.b"));
}

TEST(Signing, SignatureEqualsComparesWholeStrings) {
  EXPECT_TRUE(signatureEquals("sha256=ab", "sha256=ab"));
  EXPECT_FALSE(signatureEquals("sha256=ab", "sha256=ac"));
  EXPECT_FALSE(signatureEquals("sha256=ab", "sha256=abc"));
}

TEST(HttpOutcome, StatusesMapToOutcomes) {
  EXPECT_EQ(statusOutcome(200), Outcome::Posted);
  EXPECT_EQ(statusOutcome(201), Outcome::Posted);
  EXPECT_EQ(statusOutcome(503), Outcome::Retryable);
  EXPECT_EQ(statusOutcome(429), Outcome::Retryable);
  EXPECT_EQ(statusOutcome(500), Outcome::Unknown);
  EXPECT_EQ(statusOutcome(504), Outcome::Unknown);
  EXPECT_EQ(statusOutcome(400), Outcome::Permanent);
  EXPECT_EQ(statusOutcome(401), Outcome::Permanent);
}

TEST(HttpOutcome, NotSentIsRetryableButATimeoutIsUnknown) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::NotSent;
  EXPECT_EQ(transportOutcome(r).outcome, Outcome::Retryable);
  r.transport = HttpResponse::Transport::Timeout;
  EXPECT_EQ(transportOutcome(r).outcome, Outcome::Unknown);
  EXPECT_EQ(transportOutcome(r).code, "connector.timeout");
  r.transport = HttpResponse::Transport::Failed;
  EXPECT_EQ(transportOutcome(r).outcome, Outcome::Unknown);
}

}  // namespace
}  // namespace hub::cms::connectors
