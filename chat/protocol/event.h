// chat/protocol/event.h
//
// What a chat node tells its clients, as typed values; event_encoder.h turns them into the exact
// JSON text of docs/chat-protocol.md. Ids (messages, users) are integers; times are
// milliseconds since the Unix epoch (UTC), what JavaScript's Date takes.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace hub::chat::protocol {

// Who sent a message, as shown to viewers: {"id":N,"name":S,"role":S}.
struct UserInfo {
  std::int64_t id = 0;
  std::string name;
  std::string role;  // "guest", "user", "moderator"
};

struct Welcome {  // {"type":"welcome","user":{...}}
  UserInfo user;
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

struct ErrorEvent {  // {"type":"error","code":C,"message":M}
  std::string code;
  std::string message;
};

using Event =
    std::variant<Welcome, Joined, Message, Likes, Viewers, Deleted, Muted, Pong, Moderated, ErrorEvent>;

}  // namespace hub::chat::protocol
