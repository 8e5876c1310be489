// cms/accounts/tests/accounts_api_test.cpp
//
// Accounts and groups over real HTTP on SQLite and MariaDB: credentials sealed and never
// shown, 422 per field, organisation boundaries (404 outside, 403 without the role), CSV
// import preview/apply and export.
#include <gtest/gtest.h>

#include <filesystem>

#include "cms/accounts/account_store.h"
#include "cms/accounts/credential_box.h"
#include "cms/tests/support/cms_harness.h"

namespace hub::cms::testing {
namespace {

const std::string kKey(64, 'c');

class AccountsApi : public CmsApiTest {
 protected:
  void configure(config::Config& c) override {
    dir_ = std::filesystem::temp_directory_path() / ("cms-accounts-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    c.data.dir = dir_.string();
    c.cmsContent.credentialsKey = kKey;
  }
  void TearDown() override {
    CmsApiTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  // Province 1 with cities 2 and 3; an editor of city 2, a reviewer of city 3.
  void orgs() {
    hub().createOrg(1, 0, "省总工会", 1);
    hub().createOrg(2, 1, "甲市", 2);
    hub().createOrg(3, 1, "乙市", 2);
    hub().createUser("ed2", "password-ed2", {{auth::Role::Editor, 2}}, 2);
    hub().createUser("rev3", "password-rev3", {{auth::Role::Reviewer, 3}}, 3);
  }
  std::filesystem::path dir_;
};

TEST_P(AccountsApi, CreateSealsCredentialsAndNeverShowsThem) {
  orgs();
  auto admin = hub().loginAdmin();
  auto r = admin.post("/api/v1/accounts", {{"org_id", 1},
                                           {"platform", "wechat_oa"},
                                           {"name", "省总工会公众号"},
                                           {"settings", {{"app_id", "wx123"}}},
                                           {"credentials", {{"app_secret", "very-secret-value"}}}});
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.body["credentials"]["set"], true);
  EXPECT_EQ(r.text.find("very-secret-value"), std::string::npos);
  const auto id = r.body["id"].get<std::int64_t>();

  auto got = admin.get("/api/v1/accounts/" + std::to_string(id));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.text.find("very-secret-value"), std::string::npos);
  EXPECT_EQ(got.body["settings"]["app_id"], "wx123");

  // stored sealed; the connector's view opens it with the configured key
  auto raw = hub().db().query("SELECT credentials FROM cms_accounts WHERE id = ?", {id});
  ASSERT_TRUE(raw);
  EXPECT_EQ((*raw)[0].getString("credentials").find("very-secret"), std::string::npos);
  auto box = accounts::CredentialBox::fromHex(kKey);
  ASSERT_TRUE(box);
  auto opened = accounts::openCredentials(hub().db(), *box, id);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)["app_secret"], "very-secret-value");

  auto audit = admin.get("/api/v1/audit?action=account.create");
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.text.find("very-secret-value"), std::string::npos);

  EXPECT_EQ(admin.del("/api/v1/accounts/" + std::to_string(id) + "/credentials").status, 204);
  EXPECT_EQ(admin.get("/api/v1/accounts/" + std::to_string(id)).body["credentials"]["set"], false);
  EXPECT_EQ(admin.put("/api/v1/accounts/" + std::to_string(id) + "/credentials", {{"token", "t2"}}).status,
            204);
  EXPECT_EQ(admin.get("/api/v1/accounts/" + std::to_string(id)).body["credentials"]["set"], true);
}

TEST_P(AccountsApi, ValidationIs422PerField) {
  orgs();
  auto admin = hub().loginAdmin();
  auto r = admin.post("/api/v1/accounts",
                      {{"org_id", 999}, {"platform", "myspace"}, {"name", ""}, {"status", "x"}});
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.errorCode(), "validation");
  EXPECT_TRUE(r.body["error"]["fields"].contains("platform"));
  EXPECT_TRUE(r.body["error"]["fields"].contains("name"));
  EXPECT_EQ(r.body["error"]["fields"]["org_id"], "no such organisation");
  EXPECT_TRUE(r.body["error"]["fields"].contains("status"));
  auto ok = admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "weibo"}, {"name", "甲市微博"}});
  ASSERT_EQ(ok.status, 201);
  auto dup = admin.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "weibo"}, {"name", "甲市微博"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.errorCode(), "accounts.exists");
}

TEST_P(AccountsApi, OtherOrganisationsAccountsAre404AndWritesNeedTheRole) {
  orgs();
  auto admin = hub().loginAdmin();
  auto mine = admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "douyin"}, {"name", "甲市抖音"}});
  auto theirs = admin.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "douyin"}, {"name", "乙市抖音"}});
  ASSERT_EQ(mine.status, 201);
  ASSERT_EQ(theirs.status, 201);
  const auto theirsId = std::to_string(theirs.body["id"].get<std::int64_t>());
  const auto mineId = std::to_string(mine.body["id"].get<std::int64_t>());

  auto ed = hub().login("ed2", "password-ed2");
  EXPECT_EQ(ed.get("/api/v1/accounts/" + theirsId).status, 404);
  EXPECT_EQ(ed.patch("/api/v1/accounts/" + theirsId, {{"name", "x"}}).status, 404);
  EXPECT_EQ(ed.put("/api/v1/accounts/" + theirsId + "/credentials", {{"k", "v"}}).status, 404);
  auto list = ed.get("/api/v1/accounts");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(list.body["items"][0]["name"], "甲市抖音");
  auto create = ed.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "weibo"}, {"name", "越权"}});
  EXPECT_EQ(create.status, 403) << create.text;
  auto move = ed.patch("/api/v1/accounts/" + mineId, {{"org_id", 3}});
  EXPECT_EQ(move.status, 403);
  auto rename = ed.patch("/api/v1/accounts/" + mineId, {{"name", "甲市抖音号"}, {"status", "disabled"}});
  ASSERT_EQ(rename.status, 200) << rename.text;
  EXPECT_EQ(rename.body["status"], "disabled");

  // a reviewer sees its city's accounts but may not change them
  auto rev = hub().login("rev3", "password-rev3");
  EXPECT_EQ(rev.get("/api/v1/accounts/" + theirsId).status, 200);
  EXPECT_EQ(rev.patch("/api/v1/accounts/" + theirsId, {{"name", "y"}}).status, 403);
}

TEST_P(AccountsApi, GroupsHoldAccountsOfTheCallersOrganisations) {
  orgs();
  auto admin = hub().loginAdmin();
  auto a = admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "kuaishou"}, {"name", "甲快手"}});
  auto b = admin.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "kuaishou"}, {"name", "乙快手"}});
  auto ed = hub().login("ed2", "password-ed2");
  auto bad =
      ed.post("/api/v1/account-groups", {{"org_id", 2}, {"name", "短视频"}, {"account_ids", {b.body["id"]}}});
  EXPECT_EQ(bad.status, 422) << bad.text;
  EXPECT_TRUE(bad.body["error"]["fields"].contains("account_ids"));
  auto g =
      ed.post("/api/v1/account-groups", {{"org_id", 2}, {"name", "短视频"}, {"account_ids", {a.body["id"]}}});
  ASSERT_EQ(g.status, 201) << g.text;
  EXPECT_EQ(g.body["account_ids"].size(), 1u);
  auto acc = ed.get("/api/v1/accounts/" + std::to_string(a.body["id"].get<std::int64_t>()));
  EXPECT_EQ(acc.body["group_ids"][0], g.body["id"]);
  auto filtered = ed.get("/api/v1/accounts?group=" + std::to_string(g.body["id"].get<std::int64_t>()));
  EXPECT_EQ(filtered.body["items"].size(), 1u);
  auto rev = hub().login("rev3", "password-rev3");
  EXPECT_EQ(rev.get("/api/v1/account-groups/" + std::to_string(g.body["id"].get<std::int64_t>())).status,
            404);
  EXPECT_EQ(ed.del("/api/v1/account-groups/" + std::to_string(g.body["id"].get<std::int64_t>())).status, 204);
}

TEST_P(AccountsApi, CsvImportPreviewsThenAppliesAndExportRoundTrips) {
  orgs();
  auto admin = hub().loginAdmin();
  ASSERT_EQ(
      admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "weibo"}, {"name", "甲市微博"}}).status,
      201);
  const std::string csv =
      "platform,name,org_id,status,groups\r\n"
      "weibo,甲市微博,2,disabled,微博矩阵\r\n"
      "bilibili,\"甲市B站, 官方\",2,,视频;微博矩阵\r\n";
  auto preview = admin.request("POST", "/api/v1/accounts/import", csv, "", "text/csv");
  ASSERT_EQ(preview.status, 200) << preview.text;
  EXPECT_EQ(preview.body["applied"], false);
  ASSERT_EQ(preview.body["create"].size(), 1u);
  EXPECT_EQ(preview.body["create"][0]["name"], "甲市B站, 官方");
  ASSERT_EQ(preview.body["update"].size(), 1u);
  EXPECT_EQ(preview.body["update"][0]["changes"]["status"]["to"], "disabled");
  EXPECT_EQ(admin.get("/api/v1/accounts").body["items"].size(), 1u) << "preview changes nothing";

  auto applied = admin.request("POST", "/api/v1/accounts/import?apply=true", csv, "", "text/csv");
  ASSERT_EQ(applied.status, 200) << applied.text;
  EXPECT_EQ(applied.body["applied"], true);
  auto list = admin.get("/api/v1/accounts");
  ASSERT_EQ(list.body["items"].size(), 2u);
  EXPECT_EQ(list.body["items"][0]["status"], "disabled");
  EXPECT_EQ(admin.get("/api/v1/account-groups").body["items"].size(), 2u);

  auto again = admin.request("POST", "/api/v1/accounts/import", csv, "", "text/csv");
  EXPECT_EQ(again.body["unchanged"], 2) << again.text;

  auto bad = admin.request("POST", "/api/v1/accounts/import?apply=true",
                           "platform,name,org_id\nweibo,新号,2\nmyspace,x,2\nweibo,y,77\n", "", "text/csv");
  ASSERT_EQ(bad.status, 422) << bad.text;
  EXPECT_TRUE(bad.body["error"]["fields"].contains("line 3: platform"));
  EXPECT_TRUE(bad.body["error"]["fields"].contains("line 4: org_id"));
  EXPECT_EQ(admin.get("/api/v1/accounts").body["items"].size(), 2u) << "nothing half-applied";

  auto ed = hub().login("ed2", "password-ed2");
  auto foreign =
      ed.request("POST", "/api/v1/accounts/import", "platform,name,org_id\nweibo,z,3\n", "", "text/csv");
  EXPECT_EQ(foreign.status, 422);
  EXPECT_TRUE(foreign.body["error"]["fields"].contains("line 2: org_id"));

  auto exported = admin.get("/api/v1/accounts/export");
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(exported.text.find("\"甲市B站, 官方\""), std::string::npos) << exported.text;
  EXPECT_NE(exported.text.find("微博矩阵"), std::string::npos);

  // The export holds the caller's organisations only: another city's account is in the
  // admin's file, not in the city editor's.
  ASSERT_EQ(
      admin.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "douyin"}, {"name", "乙市抖音"}}).status,
      201);
  EXPECT_NE(admin.get("/api/v1/accounts/export").text.find("乙市抖音"), std::string::npos);
  auto own = ed.get("/api/v1/accounts/export");
  ASSERT_EQ(own.status, 200) << own.text;
  EXPECT_NE(own.text.find("甲市微博"), std::string::npos) << own.text;
  EXPECT_EQ(own.text.find("乙市抖音"), std::string::npos) << own.text;
}

HUB_CMS_BACKENDS(AccountsApi);

}  // namespace
}  // namespace hub::cms::testing
