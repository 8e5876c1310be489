// core/auth/tests/token_test.cpp
//
// Tokens: a round trip, and every way a token is refused (forged, tampered, expired, garbage).
#include "core/auth/token.h"

#include <gtest/gtest.h>

namespace hub::auth {
namespace {

using namespace std::chrono_literals;

TokenClaims alice(const Clock& clock) {
  TokenClaims c;
  c.userId = 42;
  c.name = "Alice 李";
  c.role = Role::Moderator;
  c.expires = std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count() + 60;
  return c;
}

TEST(Token, RoundTripKeepsEveryClaim) {
  FakeClock clock;
  auto t = signToken(alice(clock), "secret");
  EXPECT_EQ(t.find_first_of("+/= \""), std::string::npos) << t;
  auto c = verifyToken(t, "secret", clock);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->userId, 42);
  EXPECT_EQ(c->name, "Alice 李");
  EXPECT_EQ(c->role, Role::Moderator);
}

TEST(Token, ARoomClaimIsSignedAndRoundTrips) {
  FakeClock clock;
  auto bound = alice(clock);
  bound.room = "gala-东城";
  auto t = signToken(bound, "secret");
  auto c = verifyToken(t, "secret", clock);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->room, "gala-东城");
  // An unbound token has no claim at all, and reads back unbound.
  auto u = verifyToken(signToken(alice(clock), "secret"), "secret", clock);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->room, "");
  // Moving the token to another room means changing the signed claims: the MAC breaks.
  auto other = bound;
  other.room = "gala-西城";
  auto moved = signToken(other, "guess");
  auto spliced = moved.substr(0, moved.find('.')) + t.substr(t.find('.'));
  auto m = verifyToken(spliced, "secret", clock);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "bad signature");
}

TEST(Token, ARoomBoundRoleHoldsInItsRoomOnly) {
  FakeClock clock;
  auto c = alice(clock);                           // a moderator
  EXPECT_EQ(roleInRoom(c, "a"), Role::Moderator);  // unbound: every room
  c.room = "a";
  EXPECT_EQ(roleInRoom(c, "a"), Role::Moderator);
  EXPECT_EQ(roleInRoom(c, "b"), Role::User);
  c.role = Role::Admin;
  EXPECT_EQ(roleInRoom(c, "b"), Role::User);
  c.role = Role::Guest;
  EXPECT_EQ(roleInRoom(c, "b"), Role::Guest);  // never raised
}

TEST(Token, AnotherSecretIsABadSignature) {
  FakeClock clock;
  auto c = verifyToken(signToken(alice(clock), "secret"), "other", clock);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "auth.invalid");
  EXPECT_EQ(c.error().message, "bad signature");
}

TEST(Token, TamperedClaimsAreRefused) {
  FakeClock clock;
  auto t = signToken(alice(clock), "secret");
  auto forged = alice(clock);
  forged.role = Role::Admin;
  auto other = signToken(forged, "guess");
  // Claims of one token with the MAC of another.
  auto spliced = other.substr(0, other.find('.')) + t.substr(t.find('.'));
  auto c = verifyToken(spliced, "secret", clock);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "auth.invalid");
}

TEST(Token, ExpiresWithTheClock) {
  FakeClock clock;
  auto t = signToken(alice(clock), "secret");
  clock.advance(59s);
  EXPECT_TRUE(verifyToken(t, "secret", clock));
  clock.advance(1s);
  auto c = verifyToken(t, "secret", clock);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "token expired");
}

TEST(Token, GarbageIsMalformed) {
  FakeClock clock;
  for (std::string_view bad : {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???", "eyJ1aWQiOjF9.AAAA"}) {
    auto c = verifyToken(bad, "secret", clock);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, "auth.invalid") << bad;
  }
  EXPECT_FALSE(verifyToken(std::string(5000, 'a'), "secret", clock));
}

TEST(Token, GuestsGetNegativeIdsAndTheGuestRole) {
  FakeClock clock;
  auto g = guestClaims(clock, 3600);
  EXPECT_LT(g.userId, 0);
  EXPECT_EQ(g.role, Role::Guest);
  EXPECT_EQ(g.name.rfind("guest-", 0), 0u);
  auto c = verifyToken(signToken(g, "s"), "s", clock);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->userId, g.userId);
}

TEST(Token, RoleNamesRoundTrip) {
  for (Role r : {Role::Guest, Role::User, Role::Moderator, Role::Admin}) {
    EXPECT_EQ(*roleFromName(roleName(r)), r);
  }
  EXPECT_FALSE(roleFromName("root"));
}

}  // namespace
}  // namespace hub::auth
