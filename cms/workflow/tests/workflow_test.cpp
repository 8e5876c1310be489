// cms/workflow/tests/workflow_test.cpp
//
// The state graph: the moves review and publishing need are allowed, shortcuts are not.
#include <gtest/gtest.h>

#include "cms/workflow/workflow.h"

namespace hub::cms::workflow {
namespace {

TEST(WorkflowGraph, NamesRoundTrip) {
  for (auto s : {State::Draft, State::InReview, State::Approved, State::Scheduled, State::Publishing,
                 State::Published, State::Failed})
    EXPECT_EQ(parseState(stateName(s)), s);
  EXPECT_EQ(stateName(State::InReview), "in_review");
  EXPECT_FALSE(parseState("deleted"));
  EXPECT_FALSE(parseState(""));
}

TEST(WorkflowGraph, ReviewPath) {
  EXPECT_TRUE(allowed(State::Draft, State::InReview));
  EXPECT_TRUE(allowed(State::InReview, State::Approved));
  EXPECT_TRUE(allowed(State::InReview, State::Draft));  // rejected
  EXPECT_TRUE(allowed(State::Approved, State::Scheduled));
}

TEST(WorkflowGraph, PublishingPath) {
  EXPECT_TRUE(allowed(State::Scheduled, State::Publishing));
  EXPECT_TRUE(allowed(State::Publishing, State::Published));
  EXPECT_TRUE(allowed(State::Publishing, State::Failed));
  EXPECT_TRUE(allowed(State::Failed, State::Scheduled));
  EXPECT_TRUE(allowed(State::Scheduled, State::Approved));  // unscheduled
}

TEST(WorkflowGraph, NoShortcutsPastReview) {
  EXPECT_FALSE(allowed(State::Draft, State::Approved));
  EXPECT_FALSE(allowed(State::Draft, State::Scheduled));
  EXPECT_FALSE(allowed(State::Draft, State::Published));
  EXPECT_FALSE(allowed(State::InReview, State::Scheduled));
  EXPECT_FALSE(allowed(State::Approved, State::Published));
  EXPECT_FALSE(allowed(State::Scheduled, State::Published));
  EXPECT_FALSE(allowed(State::Failed, State::Published));
  for (auto s : {State::Draft, State::InReview, State::Approved, State::Scheduled, State::Publishing,
                 State::Published, State::Failed})
    EXPECT_FALSE(allowed(s, s)) << stateName(s);
}

}  // namespace
}  // namespace hub::cms::workflow
