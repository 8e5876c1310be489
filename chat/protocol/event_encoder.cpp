// chat/protocol/event_encoder.cpp
//
// Written by hand rather than through nlohmann::json: its objects sort keys alphabetically
// (the protocol documents "type" first), and building a DOM per message would cost more than
// the few appends below.
#include "chat/protocol/event_encoder.h"

#include <cstdint>

#include "chat/protocol/utf8.h"

namespace hub::chat::protocol {

namespace {

template <class Int>
void appendInt(std::string& out, Int v) {
  out += std::to_string(v);
}

void appendUser(std::string& out, const UserInfo& u) {
  out += "{\"id\":";
  appendInt(out, u.id);
  out += ",\"name\":";
  appendJsonString(out, u.name);
  out += ",\"role\":";
  appendJsonString(out, u.role);
  out += '}';
}

// Each event opens with its type and closes the object itself.
void encodeInto(std::string& out, const Welcome& e) {
  out += "{\"type\":\"welcome\",\"user\":";
  appendUser(out, e.user);
  out += ",\"limits\":{\"max_text\":";
  appendInt(out, e.limits.maxText);
  out += ",\"likes_per_second\":";
  appendInt(out, e.limits.likesPerSecond);
  out += ",\"rooms\":";
  appendInt(out, e.limits.rooms);
  out += "}}";
}

void encodeInto(std::string& out, const Joined& e) {
  out += "{\"type\":\"joined\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"last_id\":";
  appendInt(out, e.lastId);
  out += e.recovered ? ",\"recovered\":true}" : ",\"recovered\":false}";
}

void encodeInto(std::string& out, const Message& e) {
  out += "{\"type\":\"message\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"id\":";
  appendInt(out, e.id);
  out += ",\"user\":";
  appendUser(out, e.user);
  out += ",\"text\":";
  appendJsonString(out, e.text);
  out += ",\"ts\":";
  appendInt(out, e.ts);
  out += '}';
}

void encodeInto(std::string& out, const Likes& e) {
  out += "{\"type\":\"likes\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"total\":";
  appendInt(out, e.total);
  out += ",\"delta\":";
  appendInt(out, e.delta);
  out += '}';
}

void encodeInto(std::string& out, const Viewers& e) {
  out += "{\"type\":\"viewers\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"count\":";
  appendInt(out, e.count);
  out += '}';
}

void encodeInto(std::string& out, const Deleted& e) {
  out += "{\"type\":\"deleted\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"id\":";
  appendInt(out, e.id);
  out += '}';
}

void encodeInto(std::string& out, const Muted& e) {
  out += "{\"type\":\"muted\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"user_id\":";
  appendInt(out, e.userId);
  out += ",\"until\":";
  appendInt(out, e.until);
  out += '}';
}

void encodeInto(std::string& out, const Pong&) { out += "{\"type\":\"pong\"}"; }

void encodeInto(std::string& out, const Moderated& e) {
  out += "{\"type\":\"moderated\",\"room\":";
  appendJsonString(out, e.room);
  out += ",\"action\":";
  appendJsonString(out, e.action);
  out += '}';
}

void encodeInto(std::string& out, const ErrorEvent& e) {
  out += "{\"type\":\"error\",\"code\":";
  appendJsonString(out, e.code);
  out += ",\"message\":";
  appendJsonString(out, e.message);
  if (!e.room.empty()) {
    out += ",\"room\":";
    appendJsonString(out, e.room);
  }
  const auto field = [&out](const char* name, std::int64_t v) {
    if (v == 0) return;
    out += name;
    appendInt(out, v);
  };
  field(",\"until\":", e.until);
  field(",\"limit\":", e.limit);
  field(",\"retry_after_ms\":", e.retryAfterMs);
  out += '}';
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto c = static_cast<unsigned char>(s[pos]);
    if (c >= 0x80) {
      // Copy a valid sequence as is; replace a broken one, byte by byte.
      const std::size_t start = pos;
      const char32_t cp = nextCodePoint(s, pos);
      if (cp == 0xFFFD && pos - start == 1)
        out += "\xEF\xBF\xBD";
      else
        out.append(s.substr(start, pos - start));
      continue;
    }
    ++pos;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string encodeEvent(const Event& event) {
  std::string out;
  out.reserve(128);
  std::visit([&out](const auto& e) { encodeInto(out, e); }, event);
  return out;
}

SharedFrame encodeShared(const Event& event) {
  return std::make_shared<const std::string>(encodeEvent(event));
}

}  // namespace hub::chat::protocol
