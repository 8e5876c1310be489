// cms/live/word_list_routes.h
//
// The studio's editor of the chat's sensitive-word lists (core/service/word_lists.h), shown in
// the control room's moderation panel:
//   GET /api/v1/moderation/words   the lists: {"lists": [{"name", "kind", "words", "updated_at",
//        "updated_by"}]}; Host, Moderator (or Admin) on some organisation
//   PUT /api/v1/moderation/words   replaces them all with {"lists": [{"name", "kind", "words"}]};
//        Moderator (or Admin) on some organisation; 400 "words.invalid" changes nothing; audited
//        "moderation.words" with the words added and removed per list
// The lists are the hub's, not an organisation's: every chat room filters with them, so a
// moderator of any organisation may edit them, and the audit log says who did. Every chat node
// rebuilds its filter within one change-feed poll.
#pragma once

#include "cms/api/cms_context.h"

namespace hub::cms::live {

void addWordListRoutes(CmsContext& ctx);

}  // namespace hub::cms::live
