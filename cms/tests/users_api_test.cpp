// cms/tests/users_api_test.cpp
//
// /api/v1/users and the sign-in limit over real HTTP, on SQLite and MariaDB: an admin manages
// the users of their own subtree only (others' users do not exist for them), grants stay inside
// it, bad bodies get 422 per field, disabling or a password reset ends the user's sessions,
// every change is audited and only the whole tree's admins read the audit log; and repeated sign-ins get 429
// with Retry-After until the bucket refills.
#include <gtest/gtest.h>

#include "cms/tests/support/cms_harness.h"

namespace hub::cms::testing {
namespace {

using namespace std::chrono_literals;
using auth::Role;

class UsersApi : public CmsApiTest {
 protected:
  void SetUp() override {
    CmsApiTest::SetUp();
    hub().createTwoCities();  // 1 province: 2 city A (3 county A1), 4 city B (5 county B1)
  }
};

TEST_P(UsersApi, ACityAdminManagesTheUsersOfItsCityOnly) {
  const auto adminA = hub().createUser("admin-a", "password-a1", {{Role::Admin, 2}}, 2);
  const auto edB = hub().createUser("ed-b", "password-b1", {{Role::Editor, 4}}, 4);
  auto a = hub().login("admin-a", "password-a1");

  auto made = a.post("/api/v1/users", {{"username", "ed-a1"},
                                       {"password", "password-ed-a1"},
                                       {"display_name", "县编辑"},
                                       {"org_id", 3},
                                       {"grants", {{{"role", "editor"}, {"org_id", 3}}}}});
  ASSERT_EQ(made.status, 201) << made.text;
  EXPECT_EQ(made.body["display_name"], "县编辑");
  EXPECT_EQ(made.body["grants"][0]["role"], "editor");
  const auto edA = made.body["id"].get<std::int64_t>();
  auto ed = hub().login("ed-a1", "password-ed-a1");
  EXPECT_EQ(ed.get("/api/v1/auth/me").body["user"]["username"], "ed-a1");

  // Outside city A: neither users nor grants.
  auto elsewhere = a.post("/api/v1/users", {{"username", "x1"}, {"password", "password-x1"}, {"org_id", 5}});
  EXPECT_EQ(elsewhere.status, 403) << elsewhere.text;
  auto grantOut = a.post("/api/v1/users", {{"username", "x2"},
                                           {"password", "password-x2"},
                                           {"org_id", 3},
                                           {"grants", {{{"role", "editor"}, {"org_id", 4}}}}});
  EXPECT_EQ(grantOut.status, 403) << grantOut.text;
  EXPECT_EQ(a.patch("/api/v1/users/" + std::to_string(edA), {{"org_id", 5}}).status, 403);

  // The list and reads: city A's users only; city B's user does not exist for this admin.
  auto list = a.get("/api/v1/users");
  ASSERT_EQ(list.status, 200) << list.text;
  std::vector<std::int64_t> ids;
  for (const auto& u : list.body["items"]) ids.push_back(u["id"].get<std::int64_t>());
  EXPECT_EQ(ids, (std::vector<std::int64_t>{adminA, edA}));
  EXPECT_EQ(a.get("/api/v1/users/" + std::to_string(edB)).status, 404);
  EXPECT_EQ(a.patch("/api/v1/users/" + std::to_string(edB), {{"disabled", true}}).status, 404);
  EXPECT_EQ(a.post("/api/v1/users/" + std::to_string(edB) + "/revoke-sessions").status, 404);

  // An editor is no admin: 403 on the list, but may read themselves.
  EXPECT_EQ(ed.get("/api/v1/users").status, 403);
  EXPECT_EQ(ed.post("/api/v1/users", {{"username", "x3"}, {"password", "password-x3"}, {"org_id", 3}}).status,
            403);
  auto self = ed.get("/api/v1/users/" + std::to_string(edA));
  EXPECT_EQ(self.status, 200) << self.text;
  EXPECT_EQ(ed.get("/api/v1/users/" + std::to_string(adminA)).status, 404) << "city A is above their county";

  // Paging: next_after when the page is full.
  auto page = a.get("/api/v1/users?limit=1");
  ASSERT_EQ(page.body["items"].size(), 1u);
  EXPECT_EQ(page.body["next_after"], adminA);
  EXPECT_EQ(a.get("/api/v1/users?limit=0").status, 422);

  // The audit log is for admins of the whole tree: a city's admin and an editor are refused
  // (403, not an empty page), the province's admin reads city A's user creation in it.
  auto cityAudit = a.get("/api/v1/audit");
  EXPECT_EQ(cityAudit.status, 403) << cityAudit.text;
  EXPECT_EQ(cityAudit.errorCode(), "auth.forbidden");
  EXPECT_EQ(ed.get("/api/v1/audit?action=user.create").status, 403);
  auto full = hub().loginAdmin().get("/api/v1/audit?action=user.create&actor=" + std::to_string(adminA));
  ASSERT_EQ(full.status, 200) << full.text;
  ASSERT_EQ(full.body["items"].size(), 1u) << full.text;
}

TEST_P(UsersApi, BadBodiesAre422PerFieldAndDuplicates409) {
  auto admin = hub().loginAdmin();
  auto bad = admin.post("/api/v1/users", {{"username", ""},
                                          {"password", "short"},
                                          {"org_id", 99},
                                          {"grants", {{{"role", "king"}, {"org_id", 1}}}}});
  ASSERT_EQ(bad.status, 422) << bad.text;
  const auto& f = bad.body["error"]["fields"];
  EXPECT_TRUE(f.contains("username")) << f;
  EXPECT_TRUE(f.contains("password")) << f;
  EXPECT_TRUE(f.contains("org_id")) << f;
  EXPECT_TRUE(f.contains("grants[0]")) << f;
  EXPECT_EQ(admin.request("POST", "/api/v1/users", "[1,2]").status, 422);

  auto ok = admin.post("/api/v1/users", {{"username", "Carol"}, {"password", "password-c1"}, {"org_id", 1}});
  ASSERT_EQ(ok.status, 201) << ok.text;
  auto dup = admin.post("/api/v1/users", {{"username", "carol"}, {"password", "password-c2"}, {"org_id", 1}});
  EXPECT_EQ(dup.status, 409) << dup.text;
  EXPECT_EQ(dup.errorCode(), "user.exists");
  const auto id = std::to_string(ok.body["id"].get<std::int64_t>());
  auto badPatch = admin.patch("/api/v1/users/" + id, {{"disabled", "yes"}, {"display_name", ""}});
  ASSERT_EQ(badPatch.status, 422) << badPatch.text;
  EXPECT_TRUE(badPatch.body["error"]["fields"].contains("disabled"));
  EXPECT_TRUE(badPatch.body["error"]["fields"].contains("display_name"));
  EXPECT_EQ(admin.get("/api/v1/users/abc").status, 404);
}

TEST_P(UsersApi, DisablingOrResettingAUserEndsTheirSessions) {
  auto admin = hub().loginAdmin();
  const auto id = hub().createUser("dave", "password-d1", {{Role::Editor, 2}}, 2);
  const std::string path = "/api/v1/users/" + std::to_string(id);
  auto dave = hub().login("dave", "password-d1");
  ASSERT_EQ(dave.get("/api/v1/auth/me").status, 200);

  // A password reset ends the sessions; the old password no longer works, the new one does.
  auto reset = admin.patch(path, {{"password", "password-d2"}});
  ASSERT_EQ(reset.status, 200) << reset.text;
  EXPECT_EQ(dave.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(
      hub().client().post("/api/v1/auth/login", {{"username", "dave"}, {"password", "password-d1"}}).status,
      401);
  dave = hub().login("dave", "password-d2");

  // Revoking sessions by hand.
  auto revoked = admin.post(path + "/revoke-sessions");
  ASSERT_EQ(revoked.status, 200) << revoked.text;
  EXPECT_EQ(revoked.body["revoked"], 1);
  EXPECT_EQ(dave.get("/api/v1/auth/me").status, 401);

  // Disabled: sessions and API tokens end, sign-in refused; nobody disables themselves.
  dave = hub().login("dave", "password-d2");
  auto script = hub().tokenClient(dave);
  ASSERT_EQ(script.get("/api/v1/auth/me").status, 200);
  auto off = admin.patch(path, {{"disabled", true}});
  ASSERT_EQ(off.status, 200) << off.text;
  EXPECT_EQ(off.body["disabled"], true);
  EXPECT_EQ(dave.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(script.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(
      hub().client().post("/api/v1/auth/login", {{"username", "dave"}, {"password", "password-d2"}}).status,
      401);
  auto me = admin.get("/api/v1/auth/me");
  const auto adminId = std::to_string(me.body["user"]["id"].get<std::int64_t>());
  auto selfOff = admin.patch("/api/v1/users/" + adminId, {{"disabled", true}});
  EXPECT_EQ(selfOff.status, 409);
  EXPECT_EQ(selfOff.errorCode(), "user.self");

  // Each change is in the audit log with before and after.
  auto audit = admin.get("/api/v1/audit?action=user.update");
  ASSERT_EQ(audit.status, 200) << audit.text;
  ASSERT_EQ(audit.body["items"].size(), 2u) << audit.text;
  EXPECT_EQ(audit.body["items"][0]["before"]["disabled"], false);
  EXPECT_EQ(audit.body["items"][0]["after"]["disabled"], true);
  EXPECT_EQ(audit.body["items"][1]["after"]["password_reset"], true);
  EXPECT_EQ(admin.get("/api/v1/audit?action=user.revoke_sessions").body["items"].size(), 1u);
}

TEST_P(UsersApi, RepeatedSignInsAreLimitedWithRetryAfter) {
  hub().createUser("erin", "password-e1", {{Role::Editor, 2}}, 2);
  auto c = hub().client();
  const int perUser = hub().config().cms.loginPerUserPerMinute;
  for (int i = 0; i < perUser; ++i)
    ASSERT_EQ(c.post("/api/v1/auth/login", {{"username", "erin"}, {"password", "wrong-password"}}).status,
              401);
  // Now even the right password waits.
  auto limited = c.post("/api/v1/auth/login", {{"username", "erin"}, {"password", "password-e1"}});
  ASSERT_EQ(limited.status, 429) << limited.text;
  EXPECT_EQ(limited.errorCode(), "auth.rate_limited");
  const int retry = std::stoi(limited.header("retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  // Another user from the same address is not held up by erin's bucket.
  hub().createAdmin();
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"username", "admin"}, {"password", kAdminPassword}}).status, 200);
  // After Retry-After the right password works again.
  hub().clock().advance(std::chrono::seconds(retry));
  EXPECT_EQ(c.post("/api/v1/auth/login", {{"username", "erin"}, {"password", "password-e1"}}).status, 200);
  auto audit = hub().loginAdmin().get("/api/v1/audit?action=auth.login_limited");
  ASSERT_EQ(audit.status, 200) << audit.text;
  EXPECT_EQ(audit.body["items"].size(), 1u);
}

HUB_CMS_BACKENDS(UsersApi);

}  // namespace
}  // namespace hub::cms::testing
