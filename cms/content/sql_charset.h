// cms/content/sql_charset.h
//
// MySQL/MariaDB tables of the CMS content modules are utf8mb4 whatever the server's default
// (titles, bodies and names are Chinese, emoji included): this appends the table option to
// every CREATE TABLE of a migration script (statements separated by ';', none inside).
#pragma once

#include <string>

namespace hub::cms::content {

inline std::string withUtf8mb4(const std::string& script) {
  std::string out;
  std::size_t start = 0;
  while (start < script.size()) {
    std::size_t end = script.find(';', start);
    if (end == std::string::npos) end = script.size();
    const std::string statement = script.substr(start, end - start);
    out += statement;
    if (statement.starts_with("CREATE TABLE")) out += " DEFAULT CHARSET=utf8mb4";
    if (end < script.size()) out += ';';
    start = end + 1;
  }
  return out;
}

}  // namespace hub::cms::content
