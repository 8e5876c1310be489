// cms/media_library/media_routes.h
//
// /api/v1/media: chunked resumable uploads and the library of finished files.
//   POST /api/v1/media/uploads {org_id, name, size}      -> 201 {id, offset: 0, size, ...}
//   PUT  /api/v1/media/uploads/:id  (Content-Range: bytes a-b/size, raw bytes; a = offset)
//   HEAD|GET /api/v1/media/uploads/:id                    -> offset to resume from (also the
//                                                            Upload-Offset header), progress
//   POST /api/v1/media/uploads/:id/complete               -> the library item
//   GET /api/v1/media, GET /api/v1/media/:id, GET /api/v1/media/:id/file, DELETE /api/v1/media/:id
// The type comes from the bytes (sniff.h) and must be the one the name claims; sizes are
// limited per kind by [cms_upload]. Uploading and deleting need Editor on the organisation;
// any signed-in user who can see the organisation may read.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::media_library {

void addRoutes(CmsContext& ctx);

}  // namespace hub::cms::media_library
