// chat/protocol/command_decoder.cpp
//
// Checks run cheapest first (size, UTF-8, depth) so a flood of junk costs little before the JSON
// parser is reached. nlohmann's exceptions stop here and become Error values.
#include "chat/protocol/command_decoder.h"

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/protocol/utf8.h"

namespace hub::chat::protocol {

namespace {

using nlohmann::json;

Error badRequest(std::string message) { return makeError("chat.bad_request", std::move(message)); }

// Deepest nesting of [ and { outside strings, stopping early past the limit: bounds the
// parser's recursion and memory on input like "[[[[..." before it runs.
int nestingDepth(std::string_view s, int limit) {
  int depth = 0, deepest = 0;
  bool inString = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

const char* typeName(const json& v) {
  return v.is_number_integer() ? "integer" : v.type_name();  // "number" hides int vs float
}

Result<std::string> stringField(const json& obj, const char* name, std::string_view op) {
  auto it = obj.find(name);
  if (it == obj.end()) return badRequest(std::string(op) + ": missing field \"" + name + "\"");
  if (!it->is_string())
    return badRequest(std::string(op) + ": field \"" + name + "\" must be a string, got " + typeName(*it));
  return it->get<std::string>();
}

Result<std::string> roomField(const json& obj, std::string_view op, const DecodeLimits& limits) {
  auto room = stringField(obj, "room", op);
  if (!room) return room;
  if (!validRoomName(*room, limits.maxRoomBytes))
    return badRequest(std::string(op) + ": room name must be 1-" + std::to_string(limits.maxRoomBytes) +
                      " characters of A-Z a-z 0-9 . _ - starting with a letter or digit");
  return room;
}

// A non-negative integer; floats such as 1.5 or 1e3 are refused rather than rounded.
Result<std::uint64_t> unsignedField(const json& v, const char* name, std::string_view op) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer())
    return badRequest(std::string(op) + ": field \"" + name + "\" must not be negative");
  return badRequest(std::string(op) + ": field \"" + name + "\" must be an integer, got " + typeName(v));
}

Result<Command> decodeHello(const json& obj, const DecodeLimits& limits) {
  auto token = stringField(obj, "token", "hello");
  if (!token) return token.error();
  if (token->empty()) return badRequest("hello: token is empty");
  if (token->size() > limits.maxTokenBytes)
    return badRequest("hello: token longer than " + std::to_string(limits.maxTokenBytes) + " bytes");
  return Command{Hello{std::move(*token)}};
}

Result<Command> decodeJoin(const json& obj, const DecodeLimits& limits) {
  auto room = roomField(obj, "join", limits);
  if (!room) return room.error();
  Join join{std::move(*room), std::nullopt};
  // A null `since` means the same as none: clients may send their "last id" variable as is.
  if (auto it = obj.find("since"); it != obj.end() && !it->is_null()) {
    auto since = unsignedField(*it, "since", "join");
    if (!since) return since.error();
    join.since = *since;
  }
  return Command{std::move(join)};
}

Result<Command> decodeLeave(const json& obj, const DecodeLimits& limits) {
  auto room = roomField(obj, "leave", limits);
  if (!room) return room.error();
  return Command{Leave{std::move(*room)}};
}

Result<Command> decodeSend(const json& obj, const DecodeLimits& limits) {
  auto room = roomField(obj, "send", limits);
  if (!room) return room.error();
  auto text = stringField(obj, "text", "send");
  if (!text) return text.error();
  if (text->empty()) return badRequest("send: text is empty");
  // Escapes such as \uD83D\uDE00 only become code points after parsing: count them here.
  if (const std::size_t n = countCodePoints(*text); n > limits.maxTextCodePoints)
    return makeError("chat.too_long", "text is " + std::to_string(n) + " characters, the limit is " +
                                          std::to_string(limits.maxTextCodePoints));
  return Command{Send{std::move(*room), std::move(*text)}};
}

Result<Command> decodeLike(const json& obj, const DecodeLimits& limits) {
  auto room = roomField(obj, "like", limits);
  if (!room) return room.error();
  Like like{std::move(*room), 1};
  if (auto it = obj.find("count"); it != obj.end()) {
    auto count = unsignedField(*it, "count", "like");
    if (!count) return count.error();
    if (*count < 1 || *count > limits.maxLikeCount)
      return badRequest("like: count must be between 1 and " + std::to_string(limits.maxLikeCount));
    like.count = static_cast<std::uint32_t>(*count);
  }
  return Command{std::move(like)};
}

// A signed integer (user ids: guests are negative).
Result<std::int64_t> signedField(const json& obj, const char* name, std::string_view op) {
  auto it = obj.find(name);
  if (it == obj.end()) return badRequest(std::string(op) + ": missing field \"" + name + "\"");
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(INT64_MAX))
    return badRequest(std::string(op) + ": field \"" + name + "\" is out of range");
  if (!it->is_number_integer())
    return badRequest(std::string(op) + ": field \"" + name + "\" must be an integer, got " + typeName(*it));
  return it->get<std::int64_t>();
}

Result<Command> decodeModerate(const json& obj, const std::string& op, const DecodeLimits& limits) {
  auto room = roomField(obj, op, limits);
  if (!room) return room.error();
  Moderate m;
  m.room = std::move(*room);
  if (op == "delete") {
    m.action = ModerationAction::Delete;
    auto it = obj.find("id");
    if (it == obj.end()) return badRequest("delete: missing field \"id\"");
    auto id = unsignedField(*it, "id", op);
    if (!id) return id.error();
    m.messageId = *id;
    return Command{std::move(m)};
  }
  if (op == "slow") {
    m.action = ModerationAction::SlowMode;
    auto seconds = signedField(obj, "seconds", op);
    if (!seconds) return seconds.error();
    m.seconds = *seconds;
    return Command{std::move(m)};
  }
  auto user = signedField(obj, "user_id", op);
  if (!user) return user.error();
  m.userId = *user;
  if (op == "mute") {
    m.action = ModerationAction::Mute;
    auto seconds = signedField(obj, "seconds", op);
    if (!seconds) return seconds.error();
    m.seconds = *seconds;
  } else {
    m.action = op == "unmute" ? ModerationAction::Unmute
               : op == "ban"  ? ModerationAction::Ban
                              : ModerationAction::Unban;
  }
  return Command{std::move(m)};
}

Result<json> parse(std::string_view frame) {
  try {
    return json::parse(frame.begin(), frame.end());
  } catch (const json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    const std::string what = e.what();
    const auto bracket = what.find("] ");
    return badRequest("malformed JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

}  // namespace

const char* actionName(ModerationAction action) {
  switch (action) {
    case ModerationAction::Delete:
      return "delete";
    case ModerationAction::Mute:
      return "mute";
    case ModerationAction::Unmute:
      return "unmute";
    case ModerationAction::Ban:
      return "ban";
    case ModerationAction::Unban:
      return "unban";
    case ModerationAction::SlowMode:
      return "slow_mode";
  }
  return "?";
}

bool validRoomName(std::string_view room, std::size_t maxBytes) {
  if (room.empty() || room.size() > maxBytes) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(room.front())) return false;
  for (char c : room)
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

Result<Command> decodeCommand(std::string_view frame, const DecodeLimits& limits) {
  if (frame.size() > limits.maxFrameBytes)
    return makeError("chat.frame_too_large", "frame of " + std::to_string(frame.size()) +
                                                 " bytes above the limit of " +
                                                 std::to_string(limits.maxFrameBytes));
  if (!validUtf8(frame)) return makeError("chat.bad_utf8", "frame is not valid UTF-8");
  if (nestingDepth(frame, limits.maxDepth) > limits.maxDepth)
    return badRequest("JSON nested deeper than " + std::to_string(limits.maxDepth) + " levels");
  auto parsed = parse(frame);
  if (!parsed) return parsed.error();
  const json& obj = *parsed;
  if (!obj.is_object()) return badRequest(std::string("frame must be a JSON object, got ") + typeName(obj));
  auto op = stringField(obj, "op", "frame");
  if (!op) return op.error();
  if (*op == "hello") return decodeHello(obj, limits);
  if (*op == "join") return decodeJoin(obj, limits);
  if (*op == "leave") return decodeLeave(obj, limits);
  if (*op == "send") return decodeSend(obj, limits);
  if (*op == "like") return decodeLike(obj, limits);
  if (*op == "ping") return Command{Ping{}};
  if (*op == "delete" || *op == "mute" || *op == "unmute" || *op == "ban" || *op == "unban" || *op == "slow")
    return decodeModerate(obj, *op, limits);
  // Echo at most a short, printable prefix of the op: the message goes back to the client.
  std::string shown = op->substr(0, 32);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  return badRequest(
      "unknown op \"" + shown +
      "\"; expected hello, join, leave, send, like, ping, delete, mute, unmute, ban, unban or slow");
}

}  // namespace hub::chat::protocol
