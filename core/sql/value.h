// core/sql/value.h
//
// One SQL value as both backends bind and return it: NULL, a 64-bit integer, a double, UTF-8
// text or a blob of bytes. Constructors are implicit so parameter lists read naturally,
// `db.query("... WHERE id = ? AND name = ?", {42, "名字"})`. The to*() readers convert between
// kinds, because the backends disagree on them (SQLite's SUM() is an integer, MySQL's a DECIMAL).
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hub::sql {

// Raw bytes, bound as BLOB / VARBINARY rather than text.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

class Value {
 public:
  enum class Kind { Null, Int, Double, Text, Blob };
  using Storage = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}  // NOLINT: implicit by design, see above
  // Every integer type (bool too, as 0/1); uint64 values above INT64_MAX wrap.
  template <std::integral T>
  Value(T v) : v_(static_cast<std::int64_t>(v)) {}   // NOLINT
  Value(double v) : v_(v) {}                         // NOLINT
  Value(float v) : v_(static_cast<double>(v)) {}     // NOLINT
  Value(std::string v) : v_(std::move(v)) {}         // NOLINT
  Value(std::string_view v) : v_(std::string(v)) {}  // NOLINT
  Value(const char* v) : v_(std::string(v)) {}       // NOLINT
  Value(Blob v) : v_(std::move(v)) {}                // NOLINT
  template <class T>
  Value(const std::optional<T>& v)  // NOLINT: an empty optional binds NULL
      : v_(v.has_value() ? Value(*v).v_ : Storage(nullptr)) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool isNull() const { return kind() == Kind::Null; }
  const Storage& storage() const { return v_; }

  // Conversions never fail: NULL and unparsable text give 0 / 0.0 / "".
  std::int64_t toInt() const;
  double toDouble() const;
  std::string toString() const;  // a blob gives its bytes, a double its shortest form

  bool operator==(const Value&) const = default;

 private:
  Storage v_;
};

using Params = std::vector<Value>;

}  // namespace hub::sql
