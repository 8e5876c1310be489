// cms/challenge/tests/answers_migration_test.cpp
//
// Migration cms.challenge/4 (the stored answers carry the audit of totals) on SQLite and
// MariaDB: a database at version 3 with stored answers and audit rows (a member's report, an
// approval) migrates; its keys still replay their first answers, a key stored before is still
// refused a second time, the audit reads the same (ids, order, fields), the statistics' count
// of submissions per day is unchanged, and a new answer carrying a change continues the ids.
#include <gtest/gtest.h>

#include "cms/api/time.h"
#include "cms/challenge/member_import.h"
#include "cms/challenge/step_answers.h"
#include "cms/challenge/step_batcher.h"
#include "cms/challenge/total_audit.h"
#include "core/sql/errors.h"
#include "core/sql/migration.h"
#include "core/sql/tests/backend_fixture.h"

namespace hub::cms::challenge {
namespace {

class AnswersMigration : public sql::testing::SqlContract {
 protected:
  // The statistics' submissions per day (board_routes.cpp), as "day:count" pairs.
  std::string submissionsPerDay() {
    auto rows = db_->query(
        "SELECT day, COUNT(*) AS n FROM cms_challenge_requests WHERE challenge_id = 3 AND status IN (200, "
        "202)"
        " GROUP BY day ORDER BY day");
    EXPECT_TRUE(rows) << rows.error().message;
    std::string out;
    if (rows)
      for (const auto& r : *rows)
        out += std::to_string(r.getInt("day")) + ":" + std::to_string(r.getInt("n")) + " ";
    return out;
  }
  Json history(std::optional<std::int64_t> member) {
    auto h = totalHistory(*db_, 3, member, 0, 10);
    EXPECT_TRUE(h) << h.error().message;
    return h ? *h : Json();
  }
};

TEST_P(AnswersMigration, OldAnswersAndAuditRowsStayReadable) {
  auto all = migrations();
  ASSERT_EQ(all.back().version, 4);
  ASSERT_TRUE(sql::migrate(*db_, std::vector<sql::Migration>(all.begin(), all.end() - 1)));
  ASSERT_TRUE(
      db_->exec("INSERT INTO cms_members (id, member_no, name, org_id, phone, updated_at) VALUES"
                " (1, 'M001', '张三', 4, NULL, 0), (2, 'M002', '李四', 4, NULL, 0)"));
  const std::string counted = R"({"status":"counted","total":8000})";
  const std::string held = R"({"status":"held","held_id":1})";
  ASSERT_TRUE(db_->exec(
      "INSERT INTO cms_challenge_requests (app_id, idem_key, body_hash, challenge_id, day, status, response,"
      " created_at) VALUES (7, 'k-1', 'h1', 3, 20000, 200, ?, 1000), (7, 'k-2', 'h2', 3, 20001, 202, ?, "
      "1001),"
      " (7, 'k-3', 'h3', 3, 0, 404, '{\"error\":\"member.not_found\"}', 1002)",
      {counted, held}));
  ASSERT_TRUE(
      db_->exec("INSERT INTO cms_challenge_total_audit (id, challenge_id, member_id, at, actor_id, "
                "actor_name, peer, day,"
                " day_best, total_before, total_after, cause) VALUES"
                " (1, 3, 1, 1000, 0, 'app:7', '127.0.0.1', 20000, 8000, 0, 8000, 'app 7 report'),"
                " (2, 3, 2, 1001, 5, 'admin', '127.0.0.2', 20001, 40000, 0, 30000, 'held 1 approved'),"
                " (3, 3, 1, 1003, 0, 'app:7', '::1', 20001, 9000, 8000, 17000, 'app 7 report')"));
  const std::string perDay = submissionsPerDay();
  EXPECT_EQ(perDay, "20000:1 20001:1 ");

  ASSERT_TRUE(sql::migrate(*db_, all));

  // The audit route's items, newest first, as they were (ids, fields, the member's history).
  const Json items = history(std::nullopt);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], Json({{"id", 3},
                            {"at", formatTime(1003)},
                            {"actor", {{"id", 0}, {"username", "app:7"}}},
                            {"peer", "::1"},
                            {"member_no", "M001"},
                            {"date", formatDay(20001)},
                            {"day_best", 9000},
                            {"before", {{"total", 8000}}},
                            {"after", {{"total", 17000}}},
                            {"cause", "app 7 report"}}));
  EXPECT_EQ(items[1]["id"], 2);
  EXPECT_EQ(items[1]["actor"], Json({{"id", 5}, {"username", "admin"}}));
  EXPECT_EQ(items[1]["cause"], "held 1 approved");
  EXPECT_EQ(items[1]["after"]["total"], 30000);
  EXPECT_EQ(items[2]["id"], 1);
  EXPECT_EQ(items[2]["at"], formatTime(1000));
  const Json one = history(1);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0], items[0]);
  EXPECT_EQ(one[1], items[2]);
  EXPECT_EQ(submissionsPerDay(), perDay);
  auto first = priorAnswer(*db_, 7, "k-1");
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->hash, "h1");
  EXPECT_EQ((*first)->answer.status, 200);
  EXPECT_EQ((*first)->answer.text, counted);
  auto second = priorAnswer(*db_, 7, "k-2");
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->answer.status, 202);
  EXPECT_EQ((*second)->answer.text, held);
  auto none = priorAnswer(*db_, 7, "k-9");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  // A new answer with the change it made: one row, audited after the old ones.
  Submission s;
  s.app.id = 7;
  s.key = "k-4";
  s.hash = "h4";
  const TotalChange change{3, 2, 0, "app:7", "127.0.0.1", 20002, 6000, 30000, 36000, "app 7 report"};
  ASSERT_TRUE(storeAnswers(*db_, {answerRow(s, 3, 20002, Answer{200, "{}", {}}, 1004, &change)}));
  const Json now = history(std::nullopt);
  ASSERT_EQ(now.size(), 4u);
  EXPECT_GT(now[0]["id"].get<std::int64_t>(), 3);
  EXPECT_EQ(now[0]["member_no"], "M002");
  EXPECT_EQ(now[0]["before"]["total"], 30000);
  EXPECT_EQ(now[0]["after"]["total"], 36000);
  EXPECT_EQ(history(2).size(), 2u);
  EXPECT_EQ(submissionsPerDay(), "20000:1 20001:1 20002:1 ");
  // Keys stored before, old or new, are refused a second time (the batch's conflict signal).
  for (const char* key : {"k-1", "k-4"}) {
    s.key = key;
    auto again = storeAnswers(*db_, {answerRow(s, 3, 20002, Answer{200, "{}", {}}, 1005)});
    ASSERT_FALSE(again) << key;
    EXPECT_EQ(again.error().code, sql::errc::kConstraint) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, AnswersMigration, ::testing::Values("sqlite", "mysql"),
                         sql::testing::backendName);

}  // namespace
}  // namespace hub::cms::challenge
