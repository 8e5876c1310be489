// cms/tests/password_test.cpp
//
// Argon2id hashes: verify, salt, policy, and the random/hashed secrets of sessions.
#include "cms/auth/password.h"

#include <gtest/gtest.h>

namespace hub::cms::auth {
namespace {

TEST(Password, HashesAreArgon2idAndVerify) {
  auto h = hashPassword("correct horse battery");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(verifyPassword(*h, "correct horse battery"));
  EXPECT_FALSE(verifyPassword(*h, "correct horse batterx"));
  EXPECT_FALSE(verifyPassword(*h, ""));
  EXPECT_FALSE(needsRehash(*h));
}

TEST(Password, SamePasswordGetsADifferentSalt) {
  auto a = hashPassword("same-password");
  auto b = hashPassword("same-password");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verifyPassword(*b, "same-password"));
}

TEST(Password, PolicyAndMalformedHashes) {
  auto shortOne = hashPassword("short");
  ASSERT_FALSE(shortOne);
  EXPECT_EQ(shortOne.error().code, "auth.weak_password");
  EXPECT_FALSE(hashPassword(std::string(1025, 'x')));
  EXPECT_FALSE(verifyPassword("", "whatever-password"));
  EXPECT_FALSE(verifyPassword("$argon2id$garbage", "whatever-password"));
}

TEST(Password, CostIsConfigurableButNeverBelowLibsodiumsMinimum) {
  const PasswordCost production = passwordCost();
  EXPECT_EQ(production.ops, 2u);
  EXPECT_EQ(production.memoryBytes, 64u << 20);
  auto strong = hashPassword("cost-test-password");
  ASSERT_TRUE(strong);

  auto low = setPasswordCost({.ops = 0, .memoryBytes = 8192});
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, "auth.hash_cost");
  EXPECT_EQ(setPasswordCost({.ops = 1, .memoryBytes = 4096}).error().code, "auth.hash_cost");
  EXPECT_EQ(passwordCost().ops, 2u) << "a refused cost changes nothing";

  ASSERT_TRUE(setPasswordCost({.ops = 1, .memoryBytes = 8192}));
  auto cheap = hashPassword("cost-test-password");
  ASSERT_TRUE(cheap);
  EXPECT_NE(cheap->find("m=8,t=1"), std::string::npos) << *cheap;
  EXPECT_TRUE(verifyPassword(*cheap, "cost-test-password"));
  EXPECT_TRUE(verifyPassword(*strong, "cost-test-password")) << "hashes of another cost still verify";
  EXPECT_TRUE(needsRehash(*strong));
  EXPECT_FALSE(needsRehash(*cheap));
  ASSERT_TRUE(setPasswordCost(production));
  EXPECT_TRUE(needsRehash(*cheap));
}

TEST(Password, TokensAreRandomAndStoredAsSha256) {
  auto a = randomToken(32);
  auto b = randomToken(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace hub::cms::auth
