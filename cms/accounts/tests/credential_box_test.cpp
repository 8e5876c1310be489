// cms/accounts/tests/credential_box_test.cpp
//
// Credentials at rest: sealed text hides the secret, opens with the key only, detects tampering.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "cms/accounts/credential_box.h"

namespace hub::cms::accounts {
namespace {

const std::string kKey(64, 'a');

TEST(CredentialBox, SealsAndOpens) {
  auto box = CredentialBox::fromHex(kKey);
  ASSERT_TRUE(box);
  const std::string secret = R"({"app_secret":"wx-very-secret"})";
  const std::string sealed = box->seal(secret);
  EXPECT_EQ(sealed.find("wx-very-secret"), std::string::npos);
  EXPECT_NE(box->seal(secret), sealed);  // fresh nonce each time
  auto opened = box->open(sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, secret);
}

TEST(CredentialBox, WrongKeyOrTamperedIsRefused) {
  auto box = CredentialBox::fromHex(kKey);
  auto other = CredentialBox::fromHex(std::string(64, 'b'));
  ASSERT_TRUE(box && other);
  std::string sealed = box->seal("s3cret");
  EXPECT_EQ(other->open(sealed).error().code, "accounts.credentials_corrupt");
  sealed[sealed.size() / 2] = sealed[sealed.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box->open(sealed).error().code, "accounts.credentials_corrupt");
  EXPECT_EQ(box->open("%%%").error().code, "accounts.credentials_corrupt");
}

TEST(CredentialBox, KeyMustBe32HexBytes) {
  EXPECT_EQ(CredentialBox::fromHex("abcd").error().code, "accounts.bad_key");
  EXPECT_EQ(CredentialBox::fromHex(std::string(64, 'z')).error().code, "accounts.bad_key");
}

TEST(CredentialBox, GeneratedKeyPersistsInTheDataDir) {
  const auto dir = std::filesystem::temp_directory_path() / ("cms-box-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto first = CredentialBox::load("", dir.string());
  ASSERT_TRUE(first) << first.error().message;
  auto again = CredentialBox::load("", dir.string());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->open(first->seal("x")), "x");
  EXPECT_EQ(
      std::filesystem::status(dir / "cms_credentials.key").permissions() & std::filesystem::perms::others_all,
      std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hub::cms::accounts
