// cms/tests/auth_api_test.cpp
//
// Sign-in, sessions, CSRF, API tokens and member chat tokens over real HTTP, on SQLite and
// MariaDB.
#include <gtest/gtest.h>

#include "cms/tests/support/cms_harness.h"
#include "core/auth/token.h"

namespace hub::cms::testing {
namespace {

using namespace std::chrono_literals;

class AuthApi : public CmsApiTest {};

// The hub behind a proxy that terminates TLS: its public URL is https.
class AuthApiBehindTls : public CmsApiTest {
 protected:
  void configure(config::Config& c) override { c.http.publicUrl = "https://hub.example"; }
};

TEST_P(AuthApi, LoginSetsAHardenedCookieAndMeShowsTheUser) {
  hub().createAdmin();
  auto c = hub().client();
  auto r = c.post("/api/v1/auth/login", {{"username", "admin"}, {"password", kAdminPassword}});
  ASSERT_EQ(r.status, 200) << r.text;
  auto cookie = r.header("set-cookie");
  EXPECT_EQ(cookie.rfind("hub_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain http public URL: no Secure";
  EXPECT_FALSE(r.body["csrf_token"].get<std::string>().empty());
  EXPECT_EQ(r.body["user"]["username"], "admin");

  auto admin = hub().login("admin", kAdminPassword);
  auto me = admin.get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.text;
  EXPECT_EQ(me.body["user"]["username"], "admin");
  EXPECT_EQ(me.body["csrf_token"], admin.csrf());
  EXPECT_EQ(me.body["user"]["grants"][0]["role"], "admin");
  EXPECT_EQ(me.header("cache-control"), "no-store");
}

TEST_P(AuthApi, WrongPasswordIs401AndAudited) {
  hub().createAdmin();
  auto c = hub().client();
  auto r = c.post("/api/v1/auth/login", {{"username", "admin"}, {"password", "wrong-password"}});
  EXPECT_EQ(r.status, 401) << r.text;
  EXPECT_EQ(r.errorCode(), "auth.bad_credentials");
  auto nobody = c.post("/api/v1/auth/login", {{"username", "nobody"}, {"password", "wrong-password"}});
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(nobody.errorCode(), "auth.bad_credentials");
  auto missing = c.post("/api/v1/auth/login", {{"username", "admin"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.body["error"]["fields"]["password"], "required");

  auto admin = hub().loginAdmin();
  auto audit = admin.get("/api/v1/audit?action=auth.login_failed");
  ASSERT_EQ(audit.status, 200) << audit.text;
  ASSERT_EQ(audit.body["items"].size(), 2u);
  EXPECT_EQ(audit.body["items"][0]["actor"]["username"], "nobody");
  EXPECT_EQ(audit.body["items"][1]["after"]["reason"], "wrong password");
  auto ok = admin.get("/api/v1/audit?action=auth.login");
  EXPECT_EQ(ok.body["items"].size(), 1u);
}

TEST_P(AuthApi, NoCredentialsIs401AndMutationWithoutCsrfIs403) {
  auto anon = hub().client();
  auto r = anon.get("/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.errorCode(), "auth.unauthenticated");

  auto admin = hub().loginAdmin();
  admin.setSendCsrf(false);
  auto noCsrf = admin.post("/api/v1/auth/tokens", {{"name", "x"}});
  EXPECT_EQ(noCsrf.status, 403) << noCsrf.text;
  EXPECT_EQ(noCsrf.errorCode(), "auth.csrf");
  admin.setSendCsrf(true);
  auto ok = admin.post("/api/v1/auth/tokens", {{"name", "x"}});
  EXPECT_EQ(ok.status, 201) << ok.text;

  CmsClient wrong(hub().port());
  wrong.setSession(admin.cookie(), "not-the-token");
  EXPECT_EQ(wrong.post("/api/v1/auth/tokens", {{"name", "y"}}).errorCode(), "auth.csrf");
  EXPECT_EQ(wrong.get("/api/v1/auth/me").status, 200) << "reads need no CSRF token";
}

TEST_P(AuthApi, SessionsExpireWhenIdleAndAfterTheirLifetime) {
  auto admin = hub().loginAdmin();
  hub().clock().advance(std::chrono::seconds(hub().config().cms.sessionIdleSeconds - 60));
  ASSERT_EQ(admin.get("/api/v1/auth/me").status, 200);
  hub().clock().advance(std::chrono::seconds(hub().config().cms.sessionIdleSeconds - 60));
  ASSERT_EQ(admin.get("/api/v1/auth/me").status, 200) << "used within the idle timeout: still alive";
  hub().clock().advance(std::chrono::seconds(hub().config().cms.sessionIdleSeconds + 1));
  auto r = admin.get("/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.errorCode(), "auth.session_expired");

  auto again = hub().login("admin", kAdminPassword);
  for (int i = 0; i < 10; ++i) {
    hub().clock().advance(std::chrono::seconds(hub().config().cms.sessionLifetimeSeconds / 10));
    (void)again.get("/api/v1/auth/me");
  }
  hub().clock().advance(1s);
  EXPECT_EQ(again.get("/api/v1/auth/me").errorCode(), "auth.session_expired");
}

TEST_P(AuthApi, LogoutEndsTheSession) {
  auto admin = hub().loginAdmin();
  auto r = admin.post("/api/v1/auth/logout");
  EXPECT_EQ(r.status, 204) << r.text;
  EXPECT_NE(r.header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto after = admin.get("/api/v1/auth/me");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.errorCode(), "auth.invalid_session");
}

TEST_P(AuthApi, AUserEndsOneOfTheirOtherSessionsAndNobodyElses) {
  hub().createAdmin();
  hub().createUser("ed", "password-ed1", {{auth::Role::Editor, 1}}, 1);
  auto phone = hub().login("ed", "password-ed1");
  auto laptop = hub().login("ed", "password-ed1");
  auto list = laptop.get("/api/v1/auth/sessions");
  ASSERT_EQ(list.status, 200) << list.text;
  ASSERT_EQ(list.body["items"].size(), 2u) << list.text;
  std::int64_t other = 0;
  for (const auto& s : list.body["items"])
    if (!s["current"].get<bool>()) other = s["id"].get<std::int64_t>();
  ASSERT_NE(other, 0) << list.text;
  // Somebody else cannot end it: it does not exist for them.
  auto admin = hub().loginAdmin();
  EXPECT_EQ(admin.del("/api/v1/auth/sessions/" + std::to_string(other)).status, 404);
  EXPECT_EQ(phone.get("/api/v1/auth/me").status, 200);
  // The laptop ends the phone's session: the phone is signed out, the laptop is not.
  EXPECT_EQ(laptop.del("/api/v1/auth/sessions/" + std::to_string(other)).status, 204);
  auto gone = phone.get("/api/v1/auth/me");
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(gone.errorCode(), "auth.invalid_session");
  EXPECT_EQ(laptop.get("/api/v1/auth/me").status, 200);
  EXPECT_EQ(laptop.get("/api/v1/auth/sessions").body["items"].size(), 1u);
  EXPECT_EQ(admin.get("/api/v1/audit?action=auth.session_revoke").body["items"].size(), 1u);
}

TEST_P(AuthApi, ApiTokensWorkWithoutCsrfUntilRevoked) {
  auto admin = hub().loginAdmin();
  auto created = admin.post("/api/v1/auth/tokens", {{"name", "nightly import"}});
  ASSERT_EQ(created.status, 201) << created.text;
  const std::string token = created.body["token"];
  EXPECT_EQ(token.rfind("hubt_", 0), 0u);
  CmsClient script(hub().port());
  script.setBearer(token);
  EXPECT_EQ(script.get("/api/v1/auth/me").body["via_api_token"], true);
  EXPECT_EQ(script.post("/api/v1/auth/tokens", {{"name", "child"}}).status, 201) << "no CSRF for tokens";

  auto list = admin.get("/api/v1/auth/tokens");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["items"].size(), 2u);
  EXPECT_EQ(list.text.find(token), std::string::npos) << "the token is shown once only";

  auto id = created.body["id"].get<std::int64_t>();
  EXPECT_EQ(admin.del("/api/v1/auth/tokens/" + std::to_string(id)).status, 204);
  auto revoked = script.get("/api/v1/auth/me");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.errorCode(), "auth.invalid_token");
  CmsClient forged(hub().port());
  forged.setBearer("hubt_forged");
  EXPECT_EQ(forged.get("/api/v1/auth/me").status, 401);
}

TEST_P(AuthApi, MemberChatTokenCarriesTheUserAndRole) {
  hub().createOrg(1, 0, "province");
  hub().createUser("mod", "password-1", {{auth::Role::Moderator, 1}}, 1);
  hub().createUser("ed", "password-1", {{auth::Role::Editor, 1}}, 1);
  for (auto [name, role] :
       {std::pair{"mod", hub::auth::Role::Moderator}, std::pair{"ed", hub::auth::Role::User}}) {
    auto c = hub().login(name, "password-1");
    auto r = c.post("/api/v1/chat/member-token");
    ASSERT_EQ(r.status, 200) << r.text;
    auto claims =
        hub::auth::verifyToken(r.body["token"].get<std::string>(), hub().authSecret(), hub().clock());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->name, name);
    EXPECT_EQ(claims->role, role);
    EXPECT_GT(claims->userId, 0);
  }
  EXPECT_EQ(hub().client().post("/api/v1/chat/member-token").status, 401);
}

TEST_P(AuthApiBehindTls, TheSessionCookieIsSecureWhenThePublicUrlIsHttps) {
  hub().createAdmin();
  auto c = hub().client();
  auto r = c.post("/api/v1/auth/login", {{"username", "admin"}, {"password", kAdminPassword}});
  ASSERT_EQ(r.status, 200) << r.text;
  auto cookie = r.header("set-cookie");
  EXPECT_EQ(cookie.rfind("hub_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
}

HUB_CMS_BACKENDS(AuthApi);
HUB_CMS_BACKENDS(AuthApiBehindTls);

}  // namespace
}  // namespace hub::cms::testing
