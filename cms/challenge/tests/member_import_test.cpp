// cms/challenge/tests/member_import_test.cpp
//
// The members' CSV import on SQLite and MariaDB: new members created, a re-import updates in
// place (no duplicates) and an unchanged file writes nothing; bad rows (numbers, names, unknown
// or non-grassroots organisations, phones, field counts, the header) are reported by line and
// nothing is applied; a member repeated in the file ends with its last line.
#include <gtest/gtest.h>

#include "cms/challenge/member_import.h"
#include "cms/tests/support/cms_harness.h"

namespace hub::cms::testing {
namespace {

class MemberImport : public CmsApiTest {
 protected:
  void SetUp() override {
    CmsApiTest::SetUp();
    // province 1 > city 2 > county 3 > grassroots 4 and 5
    hub().createOrg(1, 0, "省总工会", 1);
    hub().createOrg(2, 1, "市总工会", 2);
    hub().createOrg(3, 2, "县总工会", 3);
    hub().createOrg(4, 3, "基层工会甲", 4);
    hub().createOrg(5, 3, "基层工会乙", 4);
  }
  org::ImportReport run(const std::string& csv) {
    auto r = challenge::importMembers(hub().db(), hub().ctx().orgs, csv, hub().clock());
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : org::ImportReport{};
  }
  std::int64_t count() {
    auto rows = hub().db().query("SELECT COUNT(*) AS n FROM cms_members");
    EXPECT_TRUE(rows);
    return rows ? (*rows)[0].getInt("n") : -1;
  }
  std::string nameOf(const std::string& memberNo) {
    auto rows = hub().db().query("SELECT name, org_id FROM cms_members WHERE member_no = ?", {memberNo});
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1
               ? (*rows)[0].getString("name") + "@" + std::to_string((*rows)[0].getInt("org_id"))
               : "";
  }
};

TEST_P(MemberImport, CreatesThenUpdatesInPlace) {
  const std::string csv =
      "member_no,name,org_id,phone\n"
      "M001,张三,4,13800000001\n"
      "M002,李四,4,\n"
      "M003,\"王五, 小\",5,+86-13800000003\n";
  auto first = run(csv);
  ASSERT_TRUE(first.ok()) << first.problems[0].message;
  EXPECT_EQ(first.rows, 3u);
  EXPECT_EQ(first.created, 3u);
  EXPECT_EQ(count(), 3);
  EXPECT_EQ(nameOf("M003"), "王五, 小@5");

  auto again = run(csv);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(again.created + again.updated, 0u);

  auto moved = run("member_no,name,org_id\nM002,李四,5\nM004,赵六,4\n");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved.updated, 1u);
  EXPECT_EQ(moved.created, 1u);
  EXPECT_EQ(count(), 4) << "members missing from a file are kept, none duplicated";
  EXPECT_EQ(nameOf("M002"), "李四@5");
}

TEST_P(MemberImport, BadRowsRefuseTheWholeFileWithLineNumbers) {
  auto bad =
      run("member_no,name,org_id,phone\n"
          "M001,张三,4,13800000001\n"
          "M 2,李四,4,\n"          // line 3: member number
          "M003,,4,\n"             // line 4: name
          "M004,赵六,3,\n"         // line 5: a county, not grassroots
          "M005,钱七,99,\n"        // line 6: no such organisation
          "M006,孙八,4,call me\n"  // line 7: phone
          "M007,周九,4\n"          // line 8: field count
          "M008,吴十,x,\n");       // line 9: org id
  ASSERT_FALSE(bad.ok());
  std::vector<std::size_t> lines;
  for (const auto& p : bad.problems) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_NE(bad.problems[2].message.find("grassroots"), std::string::npos) << bad.problems[2].message;
  EXPECT_EQ(count(), 0) << "nothing applied";

  auto header = run("no,name,org\nM001,张三,4\n");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.problems[0].line, 1u);
  auto quote = run("member_no,name,org_id\nM001,\"张三,4\n");
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(count(), 0);
}

TEST_P(MemberImport, AMemberRepeatedInTheFileEndsWithItsLastLine) {
  auto r = run("member_no,name,org_id\nM001,旧名,4\nM002,李四,4\nM001,新名,5\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(count(), 2);
  EXPECT_EQ(nameOf("M001"), "新名@5");
}

TEST_P(MemberImport, ManyRowsGoInBatches) {
  std::string csv = "member_no,name,org_id\n";
  for (int i = 0; i < 5000; ++i)
    csv += "N" + std::to_string(i) + ",会员" + std::to_string(i) + "," + (i % 2 ? "4" : "5") + "\n";
  auto r = run(csv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.created, 5000u);
  EXPECT_EQ(count(), 5000);
  auto again = run(csv);
  EXPECT_EQ(again.unchanged, 5000u);
}

HUB_CMS_BACKENDS(MemberImport);

}  // namespace
}  // namespace hub::cms::testing
