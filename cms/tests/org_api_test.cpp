// cms/tests/org_api_test.cpp
//
// /api/v1/orgs and the CSV import over real HTTP on SQLite and MariaDB: roles apply to a
// subtree (a city's people cannot read or change another city), moves rewrite the subtree,
// bad CSV rows are reported by line and nothing is applied; the audit log has every change.
#include <gtest/gtest.h>

#include "cms/tests/support/cms_harness.h"

namespace hub::cms::testing {
namespace {

class OrgApi : public CmsApiTest {
 protected:
  void SetUp() override {
    CmsApiTest::SetUp();
    hub().createTwoCities();  // 1 province: 2 city A (3 county A1), 4 city B (5 county B1)
  }
};

TEST_P(OrgApi, ACityEditorSeesItsCityOnly) {
  hub().createUser("ed-a", "password-1", {{auth::Role::Editor, 2}}, 2);
  auto ed = hub().login("ed-a", "password-1");
  EXPECT_EQ(ed.get("/api/v1/orgs/3").status, 200);
  EXPECT_EQ(ed.get("/api/v1/orgs/3").body["path"], "/1/2/3/");
  auto other = ed.get("/api/v1/orgs/5");
  EXPECT_EQ(other.status, 404) << "another city's organisation does not exist for them";
  EXPECT_EQ(ed.get("/api/v1/orgs/4/children").status, 404);
  EXPECT_EQ(ed.get("/api/v1/orgs/1").status, 404) << "not the province above either";
  auto top = ed.get("/api/v1/orgs");
  ASSERT_EQ(top.body["items"].size(), 1u);
  EXPECT_EQ(top.body["items"][0]["id"], 2);
  // Seeing is not changing: an editor may not rename their own city.
  auto rename = ed.patch("/api/v1/orgs/2", {{"name", "renamed"}});
  EXPECT_EQ(rename.status, 403) << rename.text;
  EXPECT_EQ(ed.patch("/api/v1/orgs/5", {{"name", "renamed"}}).status, 404);
}

TEST_P(OrgApi, ACityAdminManagesItsSubtreeOnly) {
  hub().createUser("adm-a", "password-1", {{auth::Role::Admin, 2}}, 2);
  auto adm = hub().login("adm-a", "password-1");
  auto made = adm.post("/api/v1/orgs", {{"parent_id", 3}, {"name", "union A1-1"}});
  ASSERT_EQ(made.status, 201) << made.text;
  EXPECT_EQ(made.body["level"], 4);
  const auto id = made.body["id"].get<std::int64_t>();
  EXPECT_EQ(made.body["path"], "/1/2/3/" + std::to_string(id) + "/");
  EXPECT_EQ(adm.get("/api/v1/orgs/" + std::to_string(id)).status, 200) << "the cache has it at once";
  auto elsewhere = adm.post("/api/v1/orgs", {{"parent_id", 5}, {"name", "x"}});
  EXPECT_EQ(elsewhere.status, 422) << elsewhere.text;
  EXPECT_EQ(adm.patch("/api/v1/orgs/3", {{"parent_id", 4}}).status, 422) << "city B does not exist for them";
  EXPECT_EQ(adm.patch("/api/v1/orgs/2", {{"name", "city A (new)"}}).status, 200)
      << "an admin of the city renames it";
  EXPECT_EQ(adm.del("/api/v1/orgs/2").status, 403) << "deleting it needs admin of the province";
}

TEST_P(OrgApi, MovesRewriteTheSubtreeAndRefuseCycles) {
  auto admin = hub().loginAdmin();
  auto moved = admin.patch("/api/v1/orgs/3", {{"parent_id", 4}});
  ASSERT_EQ(moved.status, 200) << moved.text;
  EXPECT_EQ(moved.body["path"], "/1/4/3/");
  auto child = admin.post("/api/v1/orgs", {{"id", 30}, {"parent_id", 3}, {"name", "union"}});
  ASSERT_EQ(child.status, 201) << child.text;
  EXPECT_EQ(child.body["path"], "/1/4/3/30/");
  EXPECT_EQ(admin.patch("/api/v1/orgs/4", {{"parent_id", 30}}).errorCode(), "org.cycle");
  EXPECT_EQ(admin.patch("/api/v1/orgs/4", {{"parent_id", 30}}).status, 409);
  hub().createUser("ed-b", "password-1", {{auth::Role::Editor, 4}}, 4);
  auto edB = hub().login("ed-b", "password-1");
  EXPECT_EQ(edB.get("/api/v1/orgs/30").status, 200) << "moved under city B: city B's editor sees it";
  auto sub = admin.get("/api/v1/orgs/1/subtree?depth=5");
  ASSERT_EQ(sub.status, 200);
  EXPECT_EQ(sub.body["items"].size(), 6u);
}

TEST_P(OrgApi, DeleteOnlyWhenEmptyAndAudited) {
  auto admin = hub().loginAdmin();
  EXPECT_EQ(admin.del("/api/v1/orgs/2").errorCode(), "org.not_empty");
  EXPECT_EQ(admin.del("/api/v1/orgs/3").status, 204);
  EXPECT_EQ(admin.get("/api/v1/orgs/3").status, 404);
  auto audit = admin.get("/api/v1/audit?object_type=org&object_id=3");
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["action"], "org.delete");
  EXPECT_EQ(audit.body["items"][0]["before"]["name"], "county A1");
  EXPECT_TRUE(audit.body["items"][0]["after"].is_null());
}

TEST_P(OrgApi, ImportReportsBadLinesAndAppliesNothing) {
  auto admin = hub().loginAdmin();
  const std::string bad =
      "id,parent_id,name,level\n"
      "10,1,good,2\n"
      "x,1,bad id,2\n"
      "11,999,unknown parent,2\n"
      "10,1,duplicate,2\n"
      "12,13,cycle a,2\n"
      "13,12,cycle b,2\n";
  auto r = admin.request("POST", "/api/v1/orgs/import", bad, "", "text/csv");
  ASSERT_EQ(r.status, 422) << r.text;
  const auto& f = r.body["error"]["fields"];
  EXPECT_TRUE(f.contains("line 3")) << r.text;
  EXPECT_TRUE(f.contains("line 4")) << r.text;
  EXPECT_TRUE(f.contains("line 5")) << r.text;
  EXPECT_TRUE(f.contains("line 6") || f.contains("line 7")) << r.text;
  EXPECT_FALSE(f.contains("line 2"));
  EXPECT_EQ(admin.get("/api/v1/orgs/10").status, 404) << "nothing half-applied";

  const std::string good =
      "id,parent_id,name,level\n"
      "3,4,\"county A1, moved\",3\n"
      "20,,\"another province\",1\n"
      "21,20,city C,2\n";
  auto ok = admin.request("POST", "/api/v1/orgs/import", good, "", "text/csv");
  ASSERT_EQ(ok.status, 200) << ok.text;
  EXPECT_EQ(ok.body["created"], 2);
  EXPECT_EQ(ok.body["updated"], 1);
  EXPECT_EQ(admin.get("/api/v1/orgs/3").body["name"], "county A1, moved");
  EXPECT_EQ(admin.get("/api/v1/orgs/21").body["path"], "/20/21/");
  hub().createUser("ed", "password-1", {{auth::Role::Editor, 2}}, 2);
  EXPECT_EQ(
      hub().login("ed", "password-1").request("POST", "/api/v1/orgs/import", good, "", "text/csv").status,
      403);
}

HUB_CMS_BACKENDS(OrgApi);

}  // namespace
}  // namespace hub::cms::testing
