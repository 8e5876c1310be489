// core/sql/value.cpp
//
// Conversions between value kinds, kept lenient so that code reading a column does not care
// which backend produced it.
#include "core/sql/value.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace hub::sql {
namespace {

std::int64_t parseInt(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && end == s.data() + s.size()) return out;
  // "12.50" (a MySQL DECIMAL) or "1e3": go through double and truncate.
  double d = 0;
  auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (dec != std::errc() || dend == s.data()) return ec == std::errc() ? out : 0;
  if (!std::isfinite(d)) return 0;
  if (d >= 9.2e18 || d <= -9.2e18)
    return d > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

double parseDouble(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && end != s.data() ? d : 0.0;
}

}  // namespace

std::int64_t Value::toInt() const {
  switch (kind()) {
    case Kind::Null:
      return 0;
    case Kind::Int:
      return std::get<std::int64_t>(v_);
    case Kind::Double: {
      double d = std::get<double>(v_);
      if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return 0;
      return static_cast<std::int64_t>(d);
    }
    case Kind::Text:
      return parseInt(std::get<std::string>(v_));
    case Kind::Blob:
      return parseInt(std::get<Blob>(v_).bytes);
  }
  return 0;
}

double Value::toDouble() const {
  switch (kind()) {
    case Kind::Null:
      return 0.0;
    case Kind::Int:
      return static_cast<double>(std::get<std::int64_t>(v_));
    case Kind::Double:
      return std::get<double>(v_);
    case Kind::Text:
      return parseDouble(std::get<std::string>(v_));
    case Kind::Blob:
      return parseDouble(std::get<Blob>(v_).bytes);
  }
  return 0.0;
}

std::string Value::toString() const {
  switch (kind()) {
    case Kind::Null:
      return {};
    case Kind::Int:
      return std::to_string(std::get<std::int64_t>(v_));
    case Kind::Double: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<double>(v_));
      return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    case Kind::Text:
      return std::get<std::string>(v_);
    case Kind::Blob:
      return std::get<Blob>(v_).bytes;
  }
  return {};
}

}  // namespace hub::sql
