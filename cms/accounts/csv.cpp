// cms/accounts/csv.cpp
//
// A character-at-a-time CSV reader and a writer that defuses spreadsheet formulas.
#include "cms/accounts/csv.h"

namespace hub::cms::accounts {

Result<std::vector<CsvRow>> parseCsv(std::string_view text, std::size_t maxRows) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1;
  row.line = 1;
  bool quoted = false, afterQuote = false, any = false;
  auto endField = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    afterQuote = false;
  };
  auto endRow = [&]() -> Status {
    endField();
    bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) rows.push_back(std::move(row));
    if (rows.size() > maxRows) return makeError("csv.bad", "more than " + std::to_string(maxRows) + " rows");
    row = CsvRow{};
    row.line = line;
    any = false;
    return {};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      endField();
      any = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      if (auto st = endRow(); !st) return st.error();
    } else if (c == '"' && field.empty() && !afterQuote) {
      quoted = true;
      any = true;
    } else if (afterQuote) {
      return makeError("csv.bad", "line " + std::to_string(line) + ": text after a closing quote");
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) return makeError("csv.bad", "line " + std::to_string(row.line) + ": quote not closed");
  if (any || !field.empty())
    if (auto st = endRow(); !st) return st.error();
  return rows;
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
