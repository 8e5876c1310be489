// chat/protocol/event.h
//
// What a chat node tells its clients, as typed values; event_encoder.h turns them into the exact
// JSON text of docs/chat-protocol.md. Ids (messages, users) are integers; times are
// milliseconds since the Unix epoch (UTC), what JavaScript's Date takes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace hub::chat::protocol {

// Who sent a message, as shown to viewers: {"id":N,"name":S,"role":S}.
struct UserInfo {
  std::int64_t id = 0;
  std::string name;
  std::string role;  // "guest", "user", "moderator"
};

// What this server allows one connection, so a client can tell before it sends.
struct Limits {                      // {"max_text":N,"likes_per_second":N,"rooms":N}
  std::uint32_t maxText = 0;         // code points per message
  std::uint32_t likesPerSecond = 0;  // likes counted per second, more are ignored
  std::uint32_t rooms = 0;           // rooms joined at once
};

struct Welcome {  // {"type":"welcome","user":{...},"limits":{...}}
  UserInfo user;
  Limits limits;
};

struct Joined {  // {"type":"joined","room":R,"last_id":N,"recovered":B}
  std::string room;
  std::uint64_t lastId = 0;
  bool recovered = true;  // false when `since` was older than the room's history
};

struct Message {  // {"type":"message","room":R,"id":N,"user":{...},"text":S,"ts":MS}
  std::string room;
  std::uint64_t id = 0;
  UserInfo user;
  std::string text;
  std::int64_t ts = 0;
};

struct Likes {  // {"type":"likes","room":R,"total":N,"delta":N}
  std::string room;
  std::uint64_t total = 0;
  std::uint64_t delta = 0;
};

struct Viewers {  // {"type":"viewers","room":R,"count":N}
  std::string room;
  std::uint64_t count = 0;
};

struct Deleted {  // {"type":"deleted","room":R,"id":N}: a tombstone for message `id`
  std::string room;
  std::uint64_t id = 0;
};

struct Muted {  // {"type":"muted","room":R,"user_id":U,"until":MS}
  std::string room;
  std::int64_t userId = 0;
  std::int64_t until = 0;
};

struct Pong {};  // {"type":"pong"}

struct Moderated {  // {"type":"moderated","room":R,"action":A}: a moderator's action was done
  std::string room;
  std::string action;  // "delete", "mute", "unmute", "ban", "unban", "slow_mode"
};

// {"type":"error","code":C,"message":M} and, where they apply, the fields a client acts on
// without reading the message: "room", "until" (ms, chat.muted), "limit" (chat.too_long),
// "retry_after_ms" (chat.rate_limited, chat.slow_mode, chat.duplicate). Zero or empty: left out.
struct ErrorEvent {
  ErrorEvent(std::string c, std::string m, std::string r = {})
      : code(std::move(c)), message(std::move(m)), room(std::move(r)) {}

  std::string code;
  std::string message;
  std::string room;
  std::int64_t until = 0;
  std::int64_t limit = 0;
  std::int64_t retryAfterMs = 0;
};

using Event =
    std::variant<Welcome, Joined, Message, Likes, Viewers, Deleted, Muted, Pong, Moderated, ErrorEvent>;

}  // namespace hub::chat::protocol
