// core/sql/rows.h
//
// A fully read result set: column names and rows of values. Results are small by design here
// (pages of an API, a poll of a table), so they are materialised before the connection goes
// back to the pool; nothing refers to the driver after query() returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql/value.h"

namespace hub::sql {

using Columns = std::vector<std::string>;

class Row {
 public:
  Row(std::shared_ptr<const Columns> columns, std::vector<Value> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  // By column name (as the query labels it: use `AS name` for expressions) or by index. A
  // name the result does not have reads as NULL; has() tells the two apart.
  const Value& get(std::string_view column) const;
  const Value& at(std::size_t index) const;
  bool has(std::string_view column) const { return indexOf(column) >= 0; }

  bool isNull(std::string_view column) const { return get(column).isNull(); }
  std::int64_t getInt(std::string_view column) const { return get(column).toInt(); }
  double getDouble(std::string_view column) const { return get(column).toDouble(); }
  std::string getString(std::string_view column) const { return get(column).toString(); }
  std::string getBlob(std::string_view column) const { return get(column).toString(); }

  std::size_t size() const { return values_.size(); }
  const std::vector<Value>& values() const { return values_; }

 private:
  long indexOf(std::string_view column) const;

  std::shared_ptr<const Columns> columns_;  // shared by every row of one result
  std::vector<Value> values_;
};

struct Rows {
  std::shared_ptr<const Columns> columns = std::make_shared<const Columns>();
  std::vector<Row> rows;

  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  const Row& operator[](std::size_t i) const { return rows[i]; }
  auto begin() const { return rows.begin(); }
  auto end() const { return rows.end(); }
};

}  // namespace hub::sql
