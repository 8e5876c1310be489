// cms/challenge/tests/member_link_test.cpp
//
// Members' signed links: a link the app signed opens; a guessed member number, a changed expiry,
// another credential's secret, an expired or too long-lived link does not.
#include <gtest/gtest.h>

#include <cctype>

#include "cms/challenge/member_link.h"

namespace hub::cms::challenge {
namespace {

constexpr std::int64_t kNow = 1796000000;
constexpr std::int64_t kDay = 86400;

MemberLink signedLink(const std::string& memberNo, std::int64_t expires, const std::string& secret) {
  return MemberLink{3, memberNo, expires, memberLinkSignature(secret, memberNo, expires)};
}

TEST(MemberLink, ASignedLinkOpensUntilItExpires) {
  auto link = signedLink("M0012345", kNow + 3600, "app-secret-1");
  EXPECT_EQ(link.sig.size(), 64u);
  EXPECT_TRUE(verifyMemberLink(link, "app-secret-1", kNow, 7 * kDay));
  auto late = verifyMemberLink(link, "app-secret-1", kNow + 3600, 7 * kDay);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "link.expired");
}

TEST(MemberLink, TamperedLinksAreRefused) {
  auto link = signedLink("M0012345", kNow + 3600, "app-secret-1");
  auto guessed = link;
  guessed.memberNo = "M0012346";
  EXPECT_EQ(verifyMemberLink(guessed, "app-secret-1", kNow, 7 * kDay).error().code, "link.bad_signature");
  auto longer = link;
  longer.expires += kDay;
  EXPECT_EQ(verifyMemberLink(longer, "app-secret-1", kNow, 7 * kDay).error().code, "link.bad_signature");
  EXPECT_EQ(verifyMemberLink(link, "app-secret-2", kNow, 7 * kDay).error().code, "link.bad_signature");
  EXPECT_EQ(verifyMemberLink(link, "", kNow, 7 * kDay).error().code, "link.bad_signature");
  auto truncated = link;
  truncated.sig.pop_back();
  EXPECT_EQ(verifyMemberLink(truncated, "app-secret-1", kNow, 7 * kDay).error().code, "link.bad_signature");
  auto upper = link;
  for (auto& c : upper.sig) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_NE(upper.sig, link.sig) << "a 64-digit hex signature has letters";
  EXPECT_EQ(verifyMemberLink(upper, "app-secret-1", kNow, 7 * kDay).error().code, "link.bad_signature");
}

TEST(MemberLink, LinksMayNotLiveTooLongAndNumbersAreChecked) {
  auto forever = signedLink("M1", kNow + 365 * kDay, "s");
  EXPECT_EQ(verifyMemberLink(forever, "s", kNow, 7 * kDay).error().code, "link.too_long");
  for (const char* bad : {"", "M 1", "M1;DROP", "成员1", "0123456789012345678901234567890123"}) {
    auto link = signedLink(bad, kNow + 60, "s");
    EXPECT_EQ(verifyMemberLink(link, "s", kNow, 7 * kDay).error().code, "link.bad_member") << bad;
  }
  EXPECT_TRUE(validMemberNo("A-1_b"));
}

}  // namespace
}  // namespace hub::cms::challenge
