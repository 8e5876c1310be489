// cms/accounts/csv.h
//
// RFC 4180 CSV: fields separated by commas, quoted with '"' ("" inside quotes is one quote),
// CRLF or LF line ends, a UTF-8 BOM at the start ignored. For account import and export.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace hub::cms::accounts {

struct CsvRow {
  std::size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// Rows one at a time, for files too big to hold parsed (8 million members): next() is the next
// non-blank row, nullopt at the end, or "csv.bad" with the line number for an unterminated
// quote or text after a closing quote. `text` must outlive the reader.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text);
  Result<std::optional<CsvRow>> next();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// Every row at once (at most maxRows), with CsvReader's errors.
Result<std::vector<CsvRow>> parseCsv(std::string_view text, std::size_t maxRows = 100000);

// One field, quoted when it holds a comma, quote, CR or LF, or starts with a character a
// spreadsheet would run as a formula (= + - @): those get a leading apostrophe inside quotes.
std::string csvField(std::string_view value);
std::string csvLine(const std::vector<std::string>& fields);

}  // namespace hub::cms::accounts
