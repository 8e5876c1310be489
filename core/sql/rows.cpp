// core/sql/rows.cpp
//
// Column lookup for Row. Exact match first, then ASCII case-insensitive, because MySQL keeps
// the case written in the query while SQLite keeps the case of the table definition.
#include "core/sql/rows.h"

namespace hub::sql {
namespace {

const Value& nullValue() {
  static const Value null;
  return null;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

long Row::indexOf(std::string_view column) const {
  if (!columns_) return -1;
  const Columns& cols = *columns_;
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == column) return static_cast<long>(i);
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (equalsIgnoreCase(cols[i], column)) return static_cast<long>(i);
  return -1;
}

const Value& Row::get(std::string_view column) const {
  long i = indexOf(column);
  return i >= 0 ? at(static_cast<std::size_t>(i)) : nullValue();
}

const Value& Row::at(std::size_t index) const {
  return index < values_.size() ? values_[index] : nullValue();
}

}  // namespace hub::sql
