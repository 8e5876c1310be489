// cms/workflow/workflow.cpp
//
// The state graph, the compare-and-set move with its history row, and the workflow tables.
#include "cms/workflow/workflow.h"

#include "cms/content/sql_charset.h"

#include <array>

namespace hub::cms::workflow {
namespace {

constexpr std::array<std::string_view, 7> kNames{"draft",      "in_review", "approved", "scheduled",
                                                 "publishing", "published", "failed"};

}  // namespace

std::string_view stateName(State s) { return kNames[static_cast<std::size_t>(s)]; }

std::optional<State> parseState(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<State>(i);
  return std::nullopt;
}

bool allowed(State from, State to) {
  using S = State;
  switch (from) {
    case S::Draft:
      return to == S::InReview;
    case S::InReview:
      return to == S::Draft || to == S::Approved;
    case S::Approved:
      return to == S::Draft || to == S::Scheduled;
    case S::Scheduled:
      return to == S::Approved || to == S::Publishing;
    case S::Publishing:
      return to == S::Published || to == S::Failed || to == S::Scheduled;
    case S::Published:
      return to == S::Scheduled || to == S::Draft;
    case S::Failed:
      return to == S::Scheduled || to == S::Draft;
  }
  return false;
}

Result<State> currentState(sql::Executor& db, std::int64_t itemId) {
  auto rows = db.query("SELECT state FROM cms_content WHERE id = ?", {itemId});
  if (!rows) return rows.error().wrap("workflow state");
  if (rows->empty()) return makeError("workflow.not_found", "no content item " + std::to_string(itemId));
  auto s = parseState((*rows)[0].getString("state"));
  if (!s)
    return makeError("workflow.bad_state", "content item " + std::to_string(itemId) + " has state '" +
                                               (*rows)[0].getString("state") + "'");
  return *s;
}

Result<std::vector<TransitionRecord>> history(sql::Executor& db, std::int64_t itemId) {
  auto rows = db.query(
      "SELECT id, item_id, actor_id, actor_name, from_state, to_state, comment, created_at FROM"
      " cms_workflow_transitions WHERE item_id = ? ORDER BY id",
      {itemId});
  if (!rows) return rows.error().wrap("workflow history");
  std::vector<TransitionRecord> out;
  for (const auto& r : *rows) {
    TransitionRecord t;
    t.id = r.getInt("id");
    t.itemId = r.getInt("item_id");
    t.actorId = r.getInt("actor_id");
    t.actorName = r.getString("actor_name");
    t.from = parseState(r.getString("from_state")).value_or(State::Draft);
    t.to = parseState(r.getString("to_state")).value_or(State::Draft);
    t.comment = r.getString("comment");
    t.at = r.getInt("created_at");
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<sql::Migration> migrations() {
  const std::string transitions =
      " item_id BIGINT NOT NULL, actor_id BIGINT NOT NULL, actor_name VARCHAR(100) NOT NULL,"
      " from_state VARCHAR(16) NOT NULL, to_state VARCHAR(16) NOT NULL, comment TEXT NOT NULL,"
      " created_at BIGINT NOT NULL);"
      "CREATE INDEX cms_workflow_transitions_item ON cms_workflow_transitions (item_id, id);"
      // approvals needed for items of an org's subtree; the nearest ancestor with a row wins
      "CREATE TABLE cms_review_levels (org_id BIGINT NOT NULL PRIMARY KEY, approvals INTEGER NOT NULL,"
      " updated_at BIGINT NOT NULL);"
      // one row per reviewer and review round (a new round starts at each submit)
      "CREATE TABLE cms_approvals (item_id BIGINT NOT NULL, review_round INTEGER NOT NULL,"
      " reviewer_id BIGINT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (item_id, review_round, "
      "reviewer_id));";
  sql::Migration m;
  m.component = "cms.workflow";
  m.version = 1;
  m.name = "workflow transitions, review levels, approvals";
  m.sqlite = "CREATE TABLE cms_workflow_transitions (id INTEGER PRIMARY KEY AUTOINCREMENT," + transitions;
  m.mysql = content::withUtf8mb4(
      "CREATE TABLE cms_workflow_transitions (id BIGINT AUTO_INCREMENT PRIMARY KEY," + transitions);
  return {m};
}

}  // namespace hub::cms::workflow
