// cms/accounts/csv.cpp
//
// A character-at-a-time CSV reader (one row per call) and a writer that defuses spreadsheet
// formulas.
#include "cms/accounts/csv.h"

namespace hub::cms::accounts {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
}

Result<std::optional<CsvRow>> CsvReader::next() {
  while (pos_ < text_.size()) {
    CsvRow row;
    row.line = line_;
    std::string field;
    bool quoted = false, afterQuote = false, ended = false;
    while (pos_ < text_.size() && !ended) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        afterQuote = false;
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        ++line_;
        ended = true;
      } else if (c == '"' && field.empty() && !afterQuote) {
        quoted = true;
      } else if (afterQuote) {
        return makeError("csv.bad", "line " + std::to_string(line_) + ": text after a closing quote");
      } else {
        field += c;
      }
    }
    if (quoted) return makeError("csv.bad", "line " + std::to_string(row.line) + ": quote not closed");
    row.fields.push_back(std::move(field));
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) return std::optional<CsvRow>(std::move(row));
  }
  return std::optional<CsvRow>();
}

Result<std::vector<CsvRow>> parseCsv(std::string_view text, std::size_t maxRows) {
  CsvReader reader(text);
  std::vector<CsvRow> rows;
  for (;;) {
    auto row = reader.next();
    if (!row) return row.error();
    if (!*row) return rows;
    rows.push_back(std::move(**row));
    if (rows.size() > maxRows) return makeError("csv.bad", "more than " + std::to_string(maxRows) + " rows");
  }
}

std::string csvField(std::string_view v) {
  std::string value(v);
  bool formula = !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@');
  if (formula) value = "'" + value;
  if (!formula && value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csvField(fields[i]);
  }
  return out + "\r\n";
}

}  // namespace hub::cms::accounts
