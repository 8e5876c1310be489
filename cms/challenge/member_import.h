// cms/challenge/member_import.h
//
// Members from the membership system (issue 7 item 1): CSV with the header
// `member_no,name,org_id[,phone]`, one member per line, each in a grassroots organisation (an
// organisation without children). Sized for 8 million rows: the file is read row by row twice,
// first to check every row (any bad row refuses the file with line numbers, nothing applied),
// then to apply it in batches: the batch's existing rows are read by member number, and only
// new or changed members are written (multi-row upserts), so a re-import updates without
// duplicates and an unchanged file writes nothing. A member number repeated in the file ends
// with its last line's values.
#pragma once

#include <string_view>
#include <vector>

#include "cms/org/org_import.h"
#include "cms/org/org_tree.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"

namespace hub::cms::challenge {

// Component "cms.challenge": cms_members (1), the challenge tables (2, challenge_store.h), the
// audit of totals (3, total_audit.h).
std::vector<sql::Migration> migrations();

// Reads, checks and applies `csv`. An Error only for SQL failures; bad input is in the report.
Result<org::ImportReport> importMembers(sql::Database& db, const org::OrgTree& orgs, std::string_view csv,
                                        const Clock& clock);

}  // namespace hub::cms::challenge
