// cms/tests/access_test.cpp
//
// The access rule: a grant covers its organisation's subtree, Admin covers every role, and
// the path prefixes for list queries.
#include "cms/auth/access.h"

#include <gtest/gtest.h>

#include "cms/cms_service.h"
#include "cms/org/org_store.h"
#include "cms/org/org_tree.h"
#include "core/sql/change_feed.h"
#include "tests/support/fixtures.h"

namespace hub::cms::auth {
namespace {

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sql::open("sqlite://" + dir_.path() + "/hub.db");
    ASSERT_TRUE(db);
    db_ = std::move(*db);
    auto all = sql::coreMigrations();
    auto mine = cms::migrations();
    all.insert(all.end(), mine.begin(), mine.end());
    ASSERT_TRUE(sql::migrate(*db_, all));
    tree_ = std::make_unique<org::OrgTree>(*db_);
    org::OrgStore store(*tree_, clock_);
    // 1 province: 2 city A (3 county), 4 city B
    for (auto [id, parent] : {std::pair{1, 0}, {2, 1}, {3, 2}, {4, 1}})
      ASSERT_TRUE(db_->transaction([&](sql::Transaction& tx) -> Status {
        auto o = store.create(tx, id, parent, "org " + std::to_string(id), 0);
        if (!o) return o.error();
        return {};
      }));
    ASSERT_TRUE(tree_->reload());
    access_ = std::make_unique<Access>(*tree_);
  }
  Actor actor(std::vector<Grant> grants) {
    Actor a;
    a.userId = 7;
    a.grants = std::move(grants);
    return a;
  }

  test::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<org::OrgTree> tree_;
  std::unique_ptr<Access> access_;
};

TEST_F(AccessTest, AGrantCoversItsSubtreeOnly) {
  auto cityEditor = actor({{Role::Editor, 2}});
  EXPECT_TRUE(access_->can(cityEditor, {Role::Editor}, 2));
  EXPECT_TRUE(access_->can(cityEditor, {Role::Editor}, 3));
  EXPECT_FALSE(access_->can(cityEditor, {Role::Editor}, 4)) << "another city";
  EXPECT_FALSE(access_->can(cityEditor, {Role::Editor}, 1)) << "the province above";
  EXPECT_FALSE(access_->can(cityEditor, {Role::Reviewer}, 3)) << "another role";
  EXPECT_TRUE(access_->can(cityEditor, {Role::Reviewer, Role::Editor}, 3));
  EXPECT_TRUE(access_->canSee(cityEditor, 3));
  EXPECT_FALSE(access_->canSee(cityEditor, 4));
  EXPECT_FALSE(access_->can(cityEditor, {Role::Editor}, 99)) << "unknown org";
}

TEST_F(AccessTest, AdminCoversEveryRoleInItsSubtree) {
  auto cityAdmin = actor({{Role::Admin, 2}});
  EXPECT_TRUE(access_->can(cityAdmin, {Role::Reviewer}, 3));
  EXPECT_TRUE(access_->can(cityAdmin, {Role::Host}, 2));
  EXPECT_FALSE(access_->can(cityAdmin, {Role::Editor}, 4));
  EXPECT_FALSE(access_->isSuperAdmin(cityAdmin));
  auto root = actor({{Role::Admin, kRootOrg}});
  EXPECT_TRUE(access_->isSuperAdmin(root));
  EXPECT_TRUE(access_->can(root, {Role::Editor}, 4));
  EXPECT_TRUE(access_->can(root, {Role::Admin}, kRootOrg));
}

TEST_F(AccessTest, NobodyCanDoAnything) {
  auto none = actor({});
  EXPECT_FALSE(access_->canSee(none, 1));
  EXPECT_TRUE(access_->visiblePaths(none, {Role::Editor}).empty());
  auto f = access_->pathFilter(none, {Role::Editor});
  EXPECT_EQ(f.sql, "1 = 0");
  EXPECT_TRUE(f.params.empty());
}

TEST_F(AccessTest, VisiblePathsDropNestedGrants) {
  auto a = actor({{Role::Editor, 3}, {Role::Editor, 2}, {Role::Reviewer, 4}, {Role::Host, 1}});
  EXPECT_EQ(access_->visiblePaths(a, {Role::Editor}), (std::vector<std::string>{"/1/2/%"}));
  EXPECT_EQ(access_->visiblePaths(a, {Role::Editor, Role::Reviewer}),
            (std::vector<std::string>{"/1/2/%", "/1/4/%"}));
  EXPECT_EQ(access_->visiblePaths(a, Access::anyRole()), (std::vector<std::string>{"/1/%"}));
  EXPECT_EQ(access_->visiblePaths(actor({{Role::Admin, kRootOrg}}), {Role::Editor}),
            (std::vector<std::string>{"/%"}));
  auto f = access_->pathFilter(a, {Role::Editor, Role::Reviewer}, "x.path");
  EXPECT_EQ(f.sql, "(x.path LIKE ? OR x.path LIKE ?)");
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[1].toString(), "/1/4/%");
}

TEST_F(AccessTest, PathFilterSelectsTheSubtreeInSql) {
  auto a = actor({{Role::Editor, 2}});
  auto f = access_->pathFilter(a, {Role::Editor});
  auto rows = db_->query("SELECT o.id FROM cms_orgs o WHERE " + f.sql + " ORDER BY o.id", f.params);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].getInt("id"), 2);
  EXPECT_EQ((*rows)[1].getInt("id"), 3);
}

}  // namespace
}  // namespace hub::cms::auth
