// cms/accounts/fuzz/csv_fuzz.cpp
//
// Fuzzes the CSV reader behind account import: any bytes give rows or a "csv.bad" error, never
// a crash; rows written back with csvLine() read back to the same fields (formula-defused
// fields aside).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cms/accounts/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hub::cms::accounts;
  auto rows = parseCsv(std::string_view(reinterpret_cast<const char*>(data), size), 1000);
  if (!rows) {
    if (rows.error().code != "csv.bad") std::abort();
    return 0;
  }
  for (const auto& row : *rows) {
    bool defused = false;
    for (const auto& f : row.fields)
      defused = defused || (!f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@'));
    if (defused) continue;
    auto back = parseCsv(csvLine(row.fields));
    if (!back) std::abort();
    // a row of one empty field is a blank line, which the reader skips
    if (row.fields.size() == 1 && row.fields[0].empty()) continue;
    if (back->size() != 1 || (*back)[0].fields != row.fields) std::abort();
  }
  return 0;
}
