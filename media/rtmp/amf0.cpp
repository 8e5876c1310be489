// media/rtmp/amf0.cpp
//
// AMF0 decoding with limits and encoding of the server's replies. Declared counts (strict array,
// ECMA array) are never used to reserve memory: every element needs at least one byte, so a
// count larger than the bytes left is refused as truncated before anything is allocated.
#include "media/rtmp/amf0.h"

#include <bit>
#include <cstring>
#include <utility>

namespace hub::media::rtmp {

Amf0Value Amf0Value::number(double v) {
  Amf0Value out;
  out.type_ = Amf0Type::Number;
  out.number_ = v;
  return out;
}

Amf0Value Amf0Value::boolean(bool v) {
  Amf0Value out;
  out.type_ = Amf0Type::Boolean;
  out.boolean_ = v;
  return out;
}

Amf0Value Amf0Value::string(std::string v) {
  Amf0Value out;
  out.type_ = v.size() > 0xffff ? Amf0Type::LongString : Amf0Type::String;
  out.string_ = std::move(v);
  return out;
}

Amf0Value Amf0Value::null() { return Amf0Value(); }

Amf0Value Amf0Value::undefined() {
  Amf0Value out;
  out.type_ = Amf0Type::Undefined;
  return out;
}

Amf0Value Amf0Value::object(std::vector<Amf0Property> properties) {
  Amf0Value out;
  out.type_ = Amf0Type::Object;
  out.properties_ = std::move(properties);
  return out;
}

Amf0Value Amf0Value::ecmaArray(std::vector<Amf0Property> properties) {
  Amf0Value out = object(std::move(properties));
  out.type_ = Amf0Type::EcmaArray;
  return out;
}

Amf0Value Amf0Value::strictArray(std::vector<Amf0Value> elements) {
  Amf0Value out;
  out.type_ = Amf0Type::StrictArray;
  out.elements_ = std::move(elements);
  return out;
}

Amf0Value Amf0Value::date(double millisSinceEpoch, std::int16_t timezone) {
  Amf0Value out;
  out.type_ = Amf0Type::Date;
  out.number_ = millisSinceEpoch;
  out.timezone_ = timezone;
  return out;
}

const Amf0Value* Amf0Value::get(std::string_view key) const {
  for (const auto& p : properties_)
    if (p.key == key) return &p.value;
  return nullptr;
}

bool Amf0Value::operator==(const Amf0Value& other) const {
  // Numbers compare by bits so that NaN round trips compare equal in tests.
  return type_ == other.type_ &&
         std::bit_cast<std::uint64_t>(number_) == std::bit_cast<std::uint64_t>(other.number_) &&
         boolean_ == other.boolean_ && timezone_ == other.timezone_ && string_ == other.string_ &&
         properties_ == other.properties_ && elements_ == other.elements_;
}

Status Amf0Decoder::need(std::size_t n) const {
  if (data_.size() - pos_ < n)
    return makeError("rtmp.amf0_truncated", "amf0: need " + std::to_string(n) + " bytes at offset " +
                                                std::to_string(pos_) + ", have " +
                                                std::to_string(data_.size() - pos_));
  return {};
}

Status Amf0Decoder::countItem() {
  if (++items_ > limits_.maxItems)
    return makeError("rtmp.amf0_too_many_items",
                     "amf0: more than " + std::to_string(limits_.maxItems) + " items");
  return {};
}

Result<std::string> Amf0Decoder::utf8(std::size_t lengthBytes) {
  if (auto s = need(lengthBytes); !s) return s.error();
  const std::size_t len = lengthBytes == 2 ? readU16(&data_[pos_]) : readU32(&data_[pos_]);
  pos_ += lengthBytes;
  if (len > limits_.maxStringSize)
    return makeError("rtmp.amf0_string_too_long", "amf0: string of " + std::to_string(len) +
                                                      " bytes above limit " +
                                                      std::to_string(limits_.maxStringSize));
  if (auto s = need(len); !s) return s.error();
  std::string out(reinterpret_cast<const char*>(data_.data() + pos_), len);
  pos_ += len;
  return out;
}

Result<std::vector<Amf0Property>> Amf0Decoder::properties(std::size_t depth) {
  std::vector<Amf0Property> out;
  for (;;) {
    auto key = utf8(2);
    if (!key) return key.error();
    // An empty key followed by the object-end marker closes the object.
    if (key->empty()) {
      if (auto s = need(1); !s) return s.error();
      if (data_[pos_] == static_cast<std::uint8_t>(Amf0Type::ObjectEnd)) {
        ++pos_;
        return out;
      }
    }
    if (auto s = countItem(); !s) return s.error();
    auto v = value(depth + 1);
    if (!v) return v.error();
    out.push_back(Amf0Property{std::move(*key), std::move(*v)});
  }
}

Result<Amf0Value> Amf0Decoder::value(std::size_t depth) {
  if (depth > limits_.maxDepth)
    return makeError("rtmp.amf0_too_deep", "amf0: nesting deeper than " + std::to_string(limits_.maxDepth));
  if (auto s = need(1); !s) return s.error();
  const std::uint8_t marker = data_[pos_++];
  switch (static_cast<Amf0Type>(marker)) {
    case Amf0Type::Number: {
      if (auto s = need(8); !s) return s.error();
      const std::uint64_t bits =
          static_cast<std::uint64_t>(readU32(&data_[pos_])) << 32 | readU32(&data_[pos_ + 4]);
      pos_ += 8;
      return Amf0Value::number(std::bit_cast<double>(bits));
    }
    case Amf0Type::Boolean:
      if (auto s = need(1); !s) return s.error();
      return Amf0Value::boolean(data_[pos_++] != 0);
    case Amf0Type::String:
    case Amf0Type::LongString: {
      auto s = utf8(marker == static_cast<std::uint8_t>(Amf0Type::String) ? 2 : 4);
      if (!s) return s.error();
      return Amf0Value::string(std::move(*s));
    }
    case Amf0Type::Object: {
      auto props = properties(depth);
      if (!props) return props.error();
      return Amf0Value::object(std::move(*props));
    }
    case Amf0Type::Null:
      return Amf0Value::null();
    case Amf0Type::Undefined:
      return Amf0Value::undefined();
    case Amf0Type::EcmaArray: {
      // The count is advisory (publishers get it wrong); the object-end marker ends the array.
      if (auto s = need(4); !s) return s.error();
      pos_ += 4;
      auto props = properties(depth);
      if (!props) return props.error();
      return Amf0Value::ecmaArray(std::move(*props));
    }
    case Amf0Type::StrictArray: {
      if (auto s = need(4); !s) return s.error();
      const std::uint32_t count = readU32(&data_[pos_]);
      pos_ += 4;
      if (auto s = need(count); !s) return s.error();
      std::vector<Amf0Value> elements;
      for (std::uint32_t i = 0; i < count; ++i) {
        if (auto s = countItem(); !s) return s.error();
        auto v = value(depth + 1);
        if (!v) return v.error();
        elements.push_back(std::move(*v));
      }
      return Amf0Value::strictArray(std::move(elements));
    }
    case Amf0Type::Date: {
      if (auto s = need(10); !s) return s.error();
      const std::uint64_t bits =
          static_cast<std::uint64_t>(readU32(&data_[pos_])) << 32 | readU32(&data_[pos_ + 4]);
      const auto tz = static_cast<std::int16_t>(readU16(&data_[pos_ + 8]));
      pos_ += 10;
      return Amf0Value::date(std::bit_cast<double>(bits), tz);
    }
    case Amf0Type::ObjectEnd:
      return makeError("rtmp.amf0_unexpected_object_end",
                       "amf0: object end outside an object at offset " + std::to_string(pos_ - 1));
  }
  return makeError("rtmp.amf0_unknown_type", "amf0: unknown type marker " + std::to_string(marker) +
                                                 " at offset " + std::to_string(pos_ - 1));
}

Result<Amf0Value> Amf0Decoder::next() {
  if (auto s = countItem(); !s) return s.error();
  return value(0);
}

Result<std::vector<Amf0Value>> decodeAmf0(ByteView data, Amf0Limits limits) {
  Amf0Decoder decoder(data, limits);
  std::vector<Amf0Value> out;
  while (!decoder.atEnd()) {
    auto v = decoder.next();
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

namespace {

void putDouble(Bytes& out, double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  putU32(out, static_cast<std::uint32_t>(bits >> 32));
  putU32(out, static_cast<std::uint32_t>(bits));
}

void putKey(Bytes& out, std::string_view key) {
  // Keys have a 16-bit length and no long form; an over-long key is cut rather than corrupting
  // the stream (the server never writes one).
  if (key.size() > 0xffff) key = key.substr(0, 0xffff);
  putU16(out, static_cast<std::uint32_t>(key.size()));
  out.insert(out.end(), key.begin(), key.end());
}

void putProperties(Bytes& out, const std::vector<Amf0Property>& properties) {
  for (const auto& p : properties) {
    putKey(out, p.key);
    encodeAmf0(p.value, out);
  }
  putU16(out, 0);
  putU8(out, static_cast<std::uint8_t>(Amf0Type::ObjectEnd));
}

}  // namespace

void encodeAmf0(const Amf0Value& value, Bytes& out) {
  switch (value.type()) {
    case Amf0Type::Number:
      putU8(out, 0x00);
      putDouble(out, value.asNumber());
      return;
    case Amf0Type::Boolean:
      putU8(out, 0x01);
      putU8(out, value.asBool() ? 1 : 0);
      return;
    case Amf0Type::String:
    case Amf0Type::LongString: {
      const auto& s = value.asString();
      if (s.size() > 0xffff) {
        putU8(out, 0x0c);
        putU32(out, static_cast<std::uint32_t>(s.size()));
      } else {
        putU8(out, 0x02);
        putU16(out, static_cast<std::uint32_t>(s.size()));
      }
      out.insert(out.end(), s.begin(), s.end());
      return;
    }
    case Amf0Type::Object:
      putU8(out, 0x03);
      putProperties(out, value.properties());
      return;
    case Amf0Type::Null:
    case Amf0Type::ObjectEnd:  // never a value of its own; written as null
      putU8(out, 0x05);
      return;
    case Amf0Type::Undefined:
      putU8(out, 0x06);
      return;
    case Amf0Type::EcmaArray:
      putU8(out, 0x08);
      putU32(out, static_cast<std::uint32_t>(value.properties().size()));
      putProperties(out, value.properties());
      return;
    case Amf0Type::StrictArray:
      putU8(out, 0x0a);
      putU32(out, static_cast<std::uint32_t>(value.elements().size()));
      for (const auto& e : value.elements()) encodeAmf0(e, out);
      return;
    case Amf0Type::Date:
      putU8(out, 0x0b);
      putDouble(out, value.asNumber());
      putU16(out, static_cast<std::uint16_t>(value.timezone()));
      return;
  }
}

Bytes encodeAmf0(const std::vector<Amf0Value>& values) {
  Bytes out;
  for (const auto& v : values) encodeAmf0(v, out);
  return out;
}

}  // namespace hub::media::rtmp
