// cms/workflow/review_routes.h
//
// The review workflow over HTTP:
//   POST /api/v1/content/:id/submit {comment?}    draft -> in_review (Editor; a new review round)
//   POST /api/v1/content/:id/withdraw {comment?}  in_review -> draft (Editor)
//   POST /api/v1/content/:id/approve {comment?}   one approval (Reviewer; never an author of the
//        item); in_review -> approved once the round has the approvals the organisation needs
//   POST /api/v1/content/:id/reject {comment}     in_review -> draft, comment required (Reviewer)
//   GET  /api/v1/content/:id/transitions          who moved it, when, from, to, why
//   GET  /api/v1/review/queue                     items waiting for me in my Reviewer subtrees
//   GET|PUT|DELETE /api/v1/review-levels/:org     approvals needed (Admin to change); an org
//        without its own setting inherits the nearest ancestor's (default 1)
#pragma once

#include <cstdint>

#include "cms/api/cms_context.h"
#include "core/sql/executor.h"
#include "core/util/result.h"

namespace hub::cms::workflow {

struct ReviewLevel {
  int approvals = 1;
  std::int64_t setOn = -1;  // the org whose row applies; -1: the built-in default
};

// The approvals needed for content of `orgId`: its own row or the nearest ancestor's.
Result<ReviewLevel> effectiveReviewLevel(CmsContext& ctx, sql::Executor& db, std::int64_t orgId);

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::workflow
