// cms/content/tests/content_api_test.cpp
//
// Content and its review over real HTTP on SQLite and MariaDB: sanitized bodies, revisions
// and diffs, variants validated per platform (422 per field), organisation boundaries, and the
// review workflow (no self-approval, levels inherited from the nearest ancestor, rejection
// with comments, the reviewer's queue, every transition recorded).
#include <gtest/gtest.h>

#include <filesystem>

#include "cms/auth/actor.h"
#include "cms/tests/support/cms_harness.h"
#include "cms/workflow/workflow.h"
#include "core/sql/database.h"

namespace hub::cms::testing {
namespace {

class ContentApi : public CmsApiTest {
 protected:
  void configure(config::Config& c) override {
    dir_ = std::filesystem::temp_directory_path() / ("cms-content-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    c.data.dir = dir_.string();
    c.cmsContent.credentialsKey = std::string(64, 'd');
  }
  void TearDown() override {
    CmsApiTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  void orgs() {
    hub().createOrg(1, 0, "省总工会", 1);
    hub().createOrg(2, 1, "甲市", 2);
    hub().createOrg(3, 1, "乙市", 2);
    hub().createOrg(4, 2, "甲市某县", 3);
    hub().createUser("ed2", "password-ed2", {{auth::Role::Editor, 2}}, 2);
    hub().createUser("ed3", "password-ed3", {{auth::Role::Editor, 3}}, 3);
    hub().createUser("rev1", "password-rev1", {{auth::Role::Reviewer, 1}}, 1);
    hub().createUser("rev2", "password-rev2", {{auth::Role::Reviewer, 2}}, 2);
    hub().createUser("rev3", "password-rev3", {{auth::Role::Reviewer, 3}}, 3);
    // an editor who also reviews: may review others' items, never their own
    hub().createUser("both", "password-both", {{auth::Role::Editor, 2}, {auth::Role::Reviewer, 2}}, 2);
  }
  std::int64_t create(CmsClient& c, std::int64_t org, const std::string& title, const std::string& body) {
    auto r =
        c.post("/api/v1/content", {{"org_id", org}, {"type", "article"}, {"title", title}, {"body", body}});
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }
  std::filesystem::path dir_;
};

TEST_P(ContentApi, BodyIsRenderedSanitizedAndEverySaveIsARevisionWithADiff) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  auto r = ed.post("/api/v1/content",
                   {{"org_id", 2},
                    {"type", "article"},
                    {"title", "劳模表彰"},
                    {"body", "# 表彰\n\n<script>alert(1)</script>\n\n[点此](javascript:alert(1))"},
                    {"tags", {"劳模", "表彰", "劳模"}}});
  ASSERT_EQ(r.status, 201) << r.text;
  const auto html = r.body["body_html"].get<std::string>();
  EXPECT_NE(html.find("<h1>表彰</h1>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(r.body["tags"].size(), 2u);
  EXPECT_EQ(r.body["state"], "draft");
  const auto id = std::to_string(r.body["id"].get<std::int64_t>());

  auto p = ed.patch("/api/v1/content/" + id, {{"title", "劳模表彰大会"}, {"body", "# 表彰\n\n第二段"}});
  ASSERT_EQ(p.status, 200) << p.text;
  EXPECT_EQ(p.body["revision"], 2);
  auto revs = ed.get("/api/v1/content/" + id + "/revisions");
  ASSERT_EQ(revs.body["items"].size(), 2u);
  auto diff = ed.get("/api/v1/content/" + id + "/diff?from=1&to=2");
  ASSERT_EQ(diff.status, 200) << diff.text;
  EXPECT_EQ(diff.body["title"][0]["op"], "delete");
  EXPECT_EQ(diff.body["title"][1]["op"], "insert");
  EXPECT_EQ(diff.body["title"][1]["text"], "劳模表彰大会");
  EXPECT_NE(diff.body["unified"].get<std::string>().find("+ 第二段"), std::string::npos) << diff.text;
  EXPECT_EQ(ed.get("/api/v1/content/" + id + "/diff?from=1&to=9").status, 422);
  auto v1 = ed.get("/api/v1/content/" + id + "/revisions/1");
  EXPECT_EQ(v1.body["title"], "劳模表彰");
}

TEST_P(ContentApi, ValidationIs422PerFieldAndOtherCitiesAre404) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  auto bad = ed.post("/api/v1/content", {{"org_id", 2}, {"type", "podcast"}, {"title", ""}, {"tags", "x"}});
  ASSERT_EQ(bad.status, 422) << bad.text;
  for (const char* f : {"type", "title", "tags"}) EXPECT_TRUE(bad.body["error"]["fields"].contains(f)) << f;
  EXPECT_EQ(ed.post("/api/v1/content", {{"org_id", 3}, {"type", "article"}, {"title", "越权"}}).status, 403);

  auto ed3 = hub().login("ed3", "password-ed3");
  const auto theirs = std::to_string(create(ed3, 3, "乙市新闻", "正文"));
  EXPECT_EQ(ed.get("/api/v1/content/" + theirs).status, 404);
  EXPECT_EQ(ed.patch("/api/v1/content/" + theirs, {{"title", "x"}}).status, 404);
  EXPECT_EQ(ed.get("/api/v1/content/" + theirs + "/revisions").status, 404);
  EXPECT_EQ(ed.post("/api/v1/content/" + theirs + "/submit").status, 404);
  EXPECT_EQ(ed.get("/api/v1/content").body["items"].size(), 0u);
  // the county below city 2 is inside ed2's subtree
  EXPECT_GT(create(ed, 4, "县里的新闻", "正文"), 0);
  // Every type of the issue is taken (articles above): video, image post, announcement.
  for (const char* type : {"video", "image_post", "live_announcement"}) {
    auto made =
        ed.post("/api/v1/content", {{"org_id", 2}, {"type", type}, {"title", std::string("类型 ") + type}});
    ASSERT_EQ(made.status, 201) << type << ": " << made.text;
    EXPECT_EQ(made.body["type"], type);
    auto read = ed.get("/api/v1/content/" + std::to_string(made.body["id"].get<std::int64_t>()));
    EXPECT_EQ(read.body["type"], type) << read.text;
  }
}

TEST_P(ContentApi, VariantsAreValidatedAgainstTheAccountsPlatform) {
  orgs();
  auto admin = hub().loginAdmin();
  auto wx =
      admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "wechat_oa"}, {"name", "甲市公众号"}});
  auto wb = admin.post("/api/v1/accounts", {{"org_id", 2}, {"platform", "weibo"}, {"name", "甲市微博"}});
  auto other = admin.post("/api/v1/accounts", {{"org_id", 3}, {"platform", "weibo"}, {"name", "乙市微博"}});
  ASSERT_EQ(wx.status, 201);
  auto ed = hub().login("ed2", "password-ed2");
  const auto id = std::to_string(create(ed, 2, "标题", "正文"));
  const auto wxId = std::to_string(wx.body["id"].get<std::int64_t>());
  const auto wbId = std::to_string(wb.body["id"].get<std::int64_t>());

  auto tooLong = ed.put("/api/v1/content/" + id + "/variants/" + wxId, {{"title", std::string(65 * 3, 'x')}});
  ASSERT_EQ(tooLong.status, 422) << tooLong.text;
  EXPECT_EQ(tooLong.body["error"]["fields"]["title"], "at most 64 characters on wechat_oa (got 195)");
  EXPECT_EQ(tooLong.body["error"]["fields"]["cover"], "required on wechat_oa");

  std::string longWeibo;
  for (int i = 0; i < 2001; ++i) longWeibo += "字";
  auto weibo = ed.put("/api/v1/content/" + id + "/variants/" + wbId, {{"title", ""}, {"body", longWeibo}});
  ASSERT_EQ(weibo.status, 422);
  EXPECT_EQ(weibo.body["error"]["fields"]["body"], "at most 2000 characters on weibo (got 2001)");
  EXPECT_FALSE(weibo.body["error"]["fields"].contains("title"));

  auto ok =
      ed.put("/api/v1/content/" + id + "/variants/" + wbId, {{"title", ""}, {"body", "微博版正文 #工会#"}});
  ASSERT_EQ(ok.status, 200) << ok.text;
  auto item = ed.get("/api/v1/content/" + id);
  ASSERT_EQ(item.body["variants"].size(), 1u);
  EXPECT_EQ(item.body["variants"][0]["body"], "微博版正文 #工会#");
  const auto otherId = std::to_string(other.body["id"].get<std::int64_t>());
  EXPECT_EQ(ed.put("/api/v1/content/" + id + "/variants/" + otherId, {{"body", "x"}}).status, 404);
}

TEST_P(ContentApi, NobodyApprovesTheirOwnContentAndRejectionNeedsAComment) {
  orgs();
  auto both = hub().login("both", "password-both");
  const auto id = std::to_string(create(both, 2, "自己的稿件", "正文"));
  ASSERT_EQ(both.post("/api/v1/content/" + id + "/submit").status, 200);
  auto self = both.post("/api/v1/content/" + id + "/approve");
  EXPECT_EQ(self.status, 403) << self.text;
  EXPECT_EQ(self.errorCode(), "workflow.own_content");
  EXPECT_EQ(both.patch("/api/v1/content/" + id, {{"title", "改"}}).errorCode(), "content.locked");

  auto rev3 = hub().login("rev3", "password-rev3");
  EXPECT_EQ(rev3.post("/api/v1/content/" + id + "/approve").status, 404) << "another city's reviewer";
  auto ed2 = hub().login("ed2", "password-ed2");
  EXPECT_EQ(ed2.post("/api/v1/content/" + id + "/approve").status, 403) << "an editor is not a reviewer";

  auto rev2 = hub().login("rev2", "password-rev2");
  auto noWhy = rev2.post("/api/v1/content/" + id + "/reject", {{"comment", "  "}});
  EXPECT_EQ(noWhy.status, 422);
  EXPECT_TRUE(noWhy.body["error"]["fields"].contains("comment"));
  auto rejected = rev2.post("/api/v1/content/" + id + "/reject", {{"comment", "标题不准确"}});
  ASSERT_EQ(rejected.status, 200) << rejected.text;
  EXPECT_EQ(rejected.body["state"], "draft");

  auto history = both.get("/api/v1/content/" + id + "/transitions");
  ASSERT_EQ(history.body["items"].size(), 2u);
  EXPECT_EQ(history.body["items"][1]["from"], "in_review");
  EXPECT_EQ(history.body["items"][1]["to"], "draft");
  EXPECT_EQ(history.body["items"][1]["comment"], "标题不准确");
  EXPECT_EQ(history.body["items"][1]["actor_name"], "rev2");

  ASSERT_EQ(both.post("/api/v1/content/" + id + "/submit").status, 200);
  auto approved = rev2.post("/api/v1/content/" + id + "/approve", {{"comment", "好"}});
  ASSERT_EQ(approved.status, 200) << approved.text;
  EXPECT_EQ(approved.body["state"], "approved");
  EXPECT_EQ(approved.body["required"], 1);
  auto audit = hub().loginAdmin().get("/api/v1/audit?action=content.approve");
  EXPECT_EQ(audit.body["items"].size(), 1u);
}

TEST_P(ContentApi, ReviewLevelsAreInheritedAndTheQueueShowsWhatWaits) {
  orgs();
  auto admin = hub().loginAdmin();
  auto set = admin.put("/api/v1/review-levels/1", {{"approvals", 2}});
  ASSERT_EQ(set.status, 200) << set.text;
  EXPECT_EQ(admin.put("/api/v1/review-levels/1", {{"approvals", 9}}).status, 422);
  auto lvl = admin.get("/api/v1/review-levels/4");
  EXPECT_EQ(lvl.body["approvals"], 2);
  EXPECT_EQ(lvl.body["inherited"], true);
  EXPECT_EQ(lvl.body["set_on"], 1);
  auto rev2 = hub().login("rev2", "password-rev2");
  EXPECT_EQ(rev2.put("/api/v1/review-levels/2", {{"approvals", 1}}).status, 403);

  auto ed = hub().login("ed2", "password-ed2");
  const auto id = std::to_string(create(ed, 4, "县里的稿件", "正文"));
  ASSERT_EQ(ed.post("/api/v1/content/" + id + "/submit").status, 200);

  auto rev1 = hub().login("rev1", "password-rev1");
  auto rev3 = hub().login("rev3", "password-rev3");
  EXPECT_EQ(rev1.get("/api/v1/review/queue").body["items"].size(), 1u);
  EXPECT_EQ(rev2.get("/api/v1/review/queue").body["items"].size(), 1u);
  EXPECT_EQ(rev3.get("/api/v1/review/queue").body["items"].size(), 0u) << "not in rev3's subtree";
  EXPECT_EQ(ed.get("/api/v1/review/queue").body["items"].size(), 0u) << "editors have no queue";

  auto first = rev2.post("/api/v1/content/" + id + "/approve");
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body["state"], "in_review");
  EXPECT_EQ(first.body["approvals"], 1);
  EXPECT_EQ(rev2.post("/api/v1/content/" + id + "/approve").errorCode(), "workflow.already_approved");
  EXPECT_EQ(rev2.get("/api/v1/review/queue").body["items"].size(), 0u) << "already approved by rev2";
  auto second = rev1.post("/api/v1/content/" + id + "/approve");
  EXPECT_EQ(second.body["state"], "approved") << second.text;

  // a county-level setting wins over the province's for items there
  ASSERT_EQ(admin.put("/api/v1/review-levels/4", {{"approvals", 1}}).status, 200);
  EXPECT_EQ(admin.get("/api/v1/review-levels/4").body["inherited"], false);
  // editing approved content sends it back to draft, recorded
  auto edit = ed.patch("/api/v1/content/" + id, {{"body", "改过"}});
  ASSERT_EQ(edit.status, 200);
  EXPECT_EQ(edit.body["state"], "draft");
  auto history = ed.get("/api/v1/content/" + id + "/transitions");
  EXPECT_EQ(history.body["items"].back()["comment"], "edited");
}

TEST_P(ContentApi, TransitionIsCompareAndSetAndRecordsWho) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  const auto id = create(ed, 2, "调度用", "正文");
  auth::Actor scheduler;
  scheduler.userId = 0;
  scheduler.username = "scheduler";
  FakeClock clock;
  auto& db = hub().db();
  Status st = db.transaction([&](sql::Transaction& tx) -> Status {
    return workflow::transition(tx, scheduler, id, workflow::State::Draft, workflow::State::Scheduled, "",
                                clock);
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "workflow.not_allowed");
  st = db.transaction([&](sql::Transaction& tx) -> Status {
    return workflow::transition(tx, scheduler, id, workflow::State::InReview, workflow::State::Approved, "",
                                clock);
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "workflow.stale");
  st = db.transaction([&](sql::Transaction& tx) -> Status {
    return workflow::transition(tx, scheduler, id, workflow::State::Draft, workflow::State::InReview,
                                "by test", clock);
  });
  ASSERT_TRUE(st) << st.error().message;
  auto h = workflow::history(db, id);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].actorName, "scheduler");
  EXPECT_EQ((*h)[0].at, 1'800'000'000);
  EXPECT_EQ(*workflow::currentState(db, id), workflow::State::InReview);
  EXPECT_EQ(workflow::currentState(db, 987654).error().code, "workflow.not_found");
}

HUB_CMS_BACKENDS(ContentApi);

}  // namespace
}  // namespace hub::cms::testing
