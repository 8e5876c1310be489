// cms/content/content_routes.h
//
// /api/v1/content: items (create, list, read, edit, delete while draft), variants per target
// account validated against the account's platform limits (422 per field), revisions and the
// diff between two of them, and a Markdown preview. Read needs any role on the item's
// organisation (else 404); writing needs Editor there (else 403). Editing an approved,
// published or failed item sends it back to draft (a recorded transition); items in review,
// scheduled or publishing are locked (409 "content.locked").
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::content {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::content
