// cms/content/variant_check.h
//
// What would be sent to one account for one content item, checked against the account's
// platform limits: the account's variant when the item has one, else the item itself (title,
// body as Markdown text, cover). For the scheduler, which checks again when it schedules
// (limits may have changed since the variant was saved, or the item has no variant).
#pragma once

#include <cstdint>

#include "cms/accounts/platform_limits.h"
#include "core/sql/executor.h"
#include "core/util/result.h"

namespace hub::cms::content {

// Field errors (empty: fits). Errors "content.not_found" / "accounts.not_found" when either is
// missing; SQL errors otherwise.
Result<accounts::FieldErrors> checkVariantFor(sql::Executor& db, std::int64_t contentId,
                                              std::int64_t accountId);

}  // namespace hub::cms::content
