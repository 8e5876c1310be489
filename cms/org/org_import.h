// cms/org/org_import.h
//
// The organisation CSV import: header `id,parent_id,name,level`, one organisation per line
// (RFC 4180 quoting, UTF-8, an optional BOM; parent_id empty or 0 for the top level; rows in
// any order). Importing again updates names, levels and parents (moving subtrees: their paths
// follow); organisations missing from the file are kept. Every row is checked first (numbers,
// names, duplicate ids, unknown parents, cycles); any bad row refuses the whole file with the
// line numbers, and nothing is applied. Then one transaction writes the changed rows in
// multi-row upserts (hundreds per statement) and bumps "cms.orgs".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/json.h"
#include "core/sql/database.h"
#include "core/util/clock.h"

namespace hub::cms::org {

struct ImportProblem {
  std::size_t line = 0;  // 1-based line of the file (the header is line 1); 0: the whole file
  std::string message;
};

struct ImportReport {
  std::size_t rows = 0;  // data rows read
  std::size_t created = 0, updated = 0, unchanged = 0;
  std::size_t pathsRewritten = 0;       // organisations not in the file whose path changed (moves)
  std::vector<ImportProblem> problems;  // non-empty: nothing was applied
  double seconds = 0;

  bool ok() const { return problems.empty(); }
  Json toJson() const;
};

// At most this many problems are listed (the count says how many lines were bad).
inline constexpr std::size_t kMaxListedProblems = 100;

// Reads, checks and applies `csv`. An Error only for SQL failures; bad input is in the report.
Result<ImportReport> importCsv(sql::Database& db, std::string_view csv, const Clock& clock);

}  // namespace hub::cms::org
