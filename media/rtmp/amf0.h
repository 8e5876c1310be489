// media/rtmp/amf0.h
//
// AMF0, the serialization RTMP commands (connect, publish, onStatus) and @setDataFrame metadata
// are written in. The decoder sees raw publisher bytes, so it has limits on nesting depth, item
// count and string size and never trusts a declared count for an allocation; the encoder writes
// only the types the server sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"
#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

// Type markers as on the wire (AMF0 spec section 2.1). Reference, typed object, XML and the AVM+
// switch are not accepted: no RTMP publisher sends them in commands.
enum class Amf0Type : std::uint8_t {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
};

struct Amf0Property;

class Amf0Value {
 public:
  Amf0Value() = default;  // null
  static Amf0Value number(double v);
  static Amf0Value boolean(bool v);
  static Amf0Value string(std::string v);  // written as a long string when over 65535 bytes
  static Amf0Value null();
  static Amf0Value undefined();
  static Amf0Value object(std::vector<Amf0Property> properties);
  static Amf0Value ecmaArray(std::vector<Amf0Property> properties);
  static Amf0Value strictArray(std::vector<Amf0Value> elements);
  static Amf0Value date(double millisSinceEpoch, std::int16_t timezone = 0);

  Amf0Type type() const { return type_; }
  bool isNumber() const { return type_ == Amf0Type::Number; }
  bool isString() const { return type_ == Amf0Type::String || type_ == Amf0Type::LongString; }
  bool isObject() const { return type_ == Amf0Type::Object || type_ == Amf0Type::EcmaArray; }
  bool isNull() const { return type_ == Amf0Type::Null || type_ == Amf0Type::Undefined; }

  double asNumber() const { return number_; }  // number or date (milliseconds)
  bool asBool() const { return boolean_; }
  const std::string& asString() const { return string_; }
  std::int16_t timezone() const { return timezone_; }
  const std::vector<Amf0Property>& properties() const { return properties_; }
  const std::vector<Amf0Value>& elements() const { return elements_; }

  // The first property named `key` of an object or ECMA array, or nullptr.
  const Amf0Value* get(std::string_view key) const;

  bool operator==(const Amf0Value& other) const;

 private:
  Amf0Type type_ = Amf0Type::Null;
  double number_ = 0;
  bool boolean_ = false;
  std::int16_t timezone_ = 0;
  std::string string_;
  std::vector<Amf0Property> properties_;
  std::vector<Amf0Value> elements_;
};

struct Amf0Property {
  std::string key;
  Amf0Value value;
  bool operator==(const Amf0Property& other) const = default;
};

struct Amf0Limits {
  std::size_t maxDepth = 32;            // nested objects/arrays
  std::size_t maxItems = 65536;         // values and properties in one decode
  std::size_t maxStringSize = 1 << 20;  // bytes in one string or key
};

// Reads values one after another from one message payload; a command is a sequence of them.
class Amf0Decoder {
 public:
  explicit Amf0Decoder(ByteView data, Amf0Limits limits = {}) : data_(data), limits_(limits) {}

  // Codes: rtmp.amf0_truncated, rtmp.amf0_unknown_type, rtmp.amf0_too_deep, rtmp.amf0_too_many_items,
  // rtmp.amf0_string_too_long, rtmp.amf0_unexpected_object_end.
  Result<Amf0Value> next();
  bool atEnd() const { return pos_ >= data_.size(); }
  std::size_t offset() const { return pos_; }

 private:
  Result<Amf0Value> value(std::size_t depth);
  Result<std::string> utf8(std::size_t lengthBytes);
  Result<std::vector<Amf0Property>> properties(std::size_t depth);
  Status need(std::size_t n) const;
  Status countItem();

  ByteView data_;
  Amf0Limits limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

// Every value of a payload, in order.
Result<std::vector<Amf0Value>> decodeAmf0(ByteView data, Amf0Limits limits = {});

// Appends the AMF0 bytes of `value` (and of a whole command) to `out`.
void encodeAmf0(const Amf0Value& value, Bytes& out);
Bytes encodeAmf0(const std::vector<Amf0Value>& values);

}  // namespace hub::media::rtmp
