// cms/tests/org_tree_test.cpp
//
// The organisation tree on SQLite: paths, isWithin, moves (subtree paths rewritten, no
// cycles), delete only when empty, and the cache after a reload.
#include "cms/org/org_tree.h"

#include <gtest/gtest.h>

#include "cms/auth/user_store.h"
#include "cms/cms_service.h"
#include "cms/org/org_store.h"
#include "core/sql/change_feed.h"
#include "tests/support/fixtures.h"

namespace hub::cms::org {
namespace {

class OrgTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sql::open("sqlite://" + dir_.path() + "/hub.db");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto all = sql::coreMigrations();
    auto mine = cms::migrations();
    all.insert(all.end(), mine.begin(), mine.end());
    ASSERT_TRUE(sql::migrate(*db_, all));
    tree_ = std::make_unique<OrgTree>(*db_);
    store_ = std::make_unique<OrgStore>(*tree_, clock_);
    // 1 province / 2 city A (3 county A1 (5 union)), 4 city B
    add(1, 0, "province");
    add(2, 1, "city A");
    add(3, 2, "county A1");
    add(4, 1, "city B");
    add(5, 3, "union");
    ASSERT_TRUE(tree_->reload());
  }
  void add(std::int64_t id, std::int64_t parent, const std::string& name) {
    auto st = db_->transaction([&](sql::Transaction& tx) -> Status {
      auto o = store_->create(tx, id, parent, name, 0);
      if (!o) return o.error();
      return {};
    });
    ASSERT_TRUE(st) << st.error().message;
  }
  Result<Org> move(std::int64_t id, std::int64_t parent) {
    std::optional<Result<Org>> out;
    (void)db_->transaction([&](sql::Transaction& tx) -> Status {
      out.emplace(store_->move(tx, id, parent));
      if (!*out) return out->error();
      return {};
    });
    return std::move(*out);
  }

  test::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<OrgTree> tree_;
  std::unique_ptr<OrgStore> store_;
};

TEST_F(OrgTreeTest, PathsHoldEveryAncestor) {
  EXPECT_EQ(tree_->pathOf(1), "/1/");
  EXPECT_EQ(tree_->pathOf(5), "/1/2/3/5/");
  EXPECT_EQ(tree_->pathOf(0), "/");
  EXPECT_EQ(tree_->pathOf(99), "");
  EXPECT_EQ(tree_->get(4)->parentId, 1);
  EXPECT_EQ(tree_->size(), 5u);
  ASSERT_EQ(tree_->children(1).size(), 2u);
  EXPECT_EQ(tree_->children(1)[0].name, "city A");
}

TEST_F(OrgTreeTest, IsWithinFollowsTheSubtree) {
  EXPECT_TRUE(tree_->isWithin(5, 2));
  EXPECT_TRUE(tree_->isWithin(2, 2));
  EXPECT_TRUE(tree_->isWithin(4, 0));
  EXPECT_FALSE(tree_->isWithin(4, 2));
  EXPECT_FALSE(tree_->isWithin(2, 5));
  EXPECT_FALSE(tree_->isWithin(99, 0));
}

TEST_F(OrgTreeTest, IdsThatArePrefixesOfOthersDoNotMatch) {
  add(12, 1, "city 12");
  add(123, 12, "county 123");
  ASSERT_TRUE(tree_->reload());
  EXPECT_FALSE(tree_->isWithin(3, 12)) << "/1/2/3/ does not start with /1/12/";
  EXPECT_TRUE(tree_->isWithin(123, 12));
}

TEST_F(OrgTreeTest, MoveRewritesTheWholeSubtree) {
  auto moved = move(3, 4);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->path, "/1/4/3/");
  ASSERT_TRUE(tree_->reload());
  EXPECT_EQ(tree_->pathOf(3), "/1/4/3/");
  EXPECT_EQ(tree_->pathOf(5), "/1/4/3/5/");
  EXPECT_TRUE(tree_->isWithin(5, 4));
  EXPECT_FALSE(tree_->isWithin(5, 2));
  auto top = move(2, 0);
  ASSERT_TRUE(top);
  ASSERT_TRUE(tree_->reload());
  EXPECT_EQ(tree_->pathOf(2), "/2/");
  EXPECT_EQ(tree_->get(2)->parentId, 0);
}

TEST_F(OrgTreeTest, MoveUnderItsOwnDescendantIsRefused) {
  auto r = move(2, 5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "org.cycle");
  auto self = move(2, 2);
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, "org.cycle");
  ASSERT_TRUE(tree_->reload());
  EXPECT_EQ(tree_->pathOf(5), "/1/2/3/5/") << "nothing changed";
}

TEST_F(OrgTreeTest, DeleteOnlyWhenEmpty) {
  auto remove = [&](std::int64_t id) {
    return db_->transaction([&](sql::Transaction& tx) { return store_->remove(tx, id); });
  };
  auto busy = remove(3);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, "org.not_empty");
  auth::UserStore users(*db_, clock_);
  ASSERT_TRUE(db_->transaction([&](sql::Transaction& tx) -> Status {
    auto u = users.create(tx, auth::NewUser{"u", "u", "password-1", 4, {}});
    if (!u) return u.error();
    return {};
  }));
  auto withUser = remove(4);
  ASSERT_FALSE(withUser);
  EXPECT_EQ(withUser.error().code, "org.not_empty");
  EXPECT_TRUE(remove(5));
  ASSERT_TRUE(tree_->reload());
  EXPECT_FALSE(tree_->exists(5));
}

TEST_F(OrgTreeTest, CreateRefusesDuplicatesAndMissingParents) {
  auto dup = db_->transaction([&](sql::Transaction& tx) -> Status {
    auto o = store_->create(tx, 2, 1, "again", 0);
    if (!o) return o.error();
    return {};
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "org.exists");
  auto orphan = db_->transaction([&](sql::Transaction& tx) -> Status {
    auto o = store_->create(tx, 50, 49, "orphan", 0);
    if (!o) return o.error();
    return {};
  });
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, "org.no_parent");
}

}  // namespace
}  // namespace hub::cms::org
