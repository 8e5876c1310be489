// core/sql/rows.cpp
//
// Column lookup for Row. Exact match first, then ASCII case-insensitive, because MySQL keeps
// the case written in the query while SQLite keeps the case of the table definition.
#include "core/sql/rows.h"

#include "core/util/strings.h"

namespace hub::sql {
namespace {

const Value& nullValue() {
  static const Value null;
  return null;
}

}  // namespace

long Row::indexOf(std::string_view column) const {
  if (!columns_) return -1;
  const Columns& cols = *columns_;
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == column) return static_cast<long>(i);
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (iequals(cols[i], column)) return static_cast<long>(i);
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
