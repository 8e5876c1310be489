// core/sql/marks.h
//
// The "?,?,?" of an IN list or a VALUES row with n parameters (n >= 1), so the values are bound,
// never spliced: "WHERE id IN (" + sql::marks(ids.size()) + ")".
#pragma once

#include <cstddef>
#include <string>

namespace hub::sql {

inline std::string marks(std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

}  // namespace hub::sql
