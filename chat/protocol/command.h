// chat/protocol/command.h
//
// What a client may ask of a chat node, as typed values. The decoder turns a text frame into one
// of these after every check of the wire format has passed, so session code never looks at raw
// JSON and never sees a field of the wrong type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace hub::chat::protocol {

// {"op":"hello","token":T}: the first frame of every connection.
struct Hello {
  std::string token;
};

// {"op":"join","room":R,"since":ID}: `since` is the last message id the client saw; the
// server replays what came after it from the room's history.
struct Join {
  std::string room;
  std::optional<std::uint64_t> since;
};

// {"op":"leave","room":R}
struct Leave {
  std::string room;
};

// {"op":"send","room":R,"text":S}: text is valid UTF-8 within the length limit.
struct Send {
  std::string room;
  std::string text;
};

// {"op":"like","room":R,"count":N}: `count` defaults to 1; the per-client cap is applied later.
struct Like {
  std::string room;
  std::uint32_t count = 1;
};

// {"op":"ping"}: answered with {"type":"pong"}.
struct Ping {};

// A moderator's action on a room, over /ws or the HTTP API (the same values, one code path):
//   {"op":"delete","room":R,"id":N}                   delete message N (tombstone to everyone)
//   {"op":"mute","room":R,"user_id":U,"seconds":S}    mute for S seconds (0 unmutes)
//   {"op":"unmute","room":R,"user_id":U}
//   {"op":"ban","room":R,"user_id":U} / "unban"
//   {"op":"slow","room":R,"seconds":S}                 slow mode, 0 turns it off
// The decoder checks field types; ChatService::moderate() checks ranges and who may do it.
enum class ModerationAction { Delete, Mute, Unmute, Ban, Unban, SlowMode };

struct Moderate {
  ModerationAction action = ModerationAction::Delete;
  std::string room;
  std::uint64_t messageId = 0;  // delete
  std::int64_t userId = 0;      // mute, unmute, ban, unban
  std::int64_t seconds = 0;     // mute, slow
};

// The name of an action as the moderation log and the HTTP API write it: "delete", "mute",
// "unmute", "ban", "unban", "slow_mode".
const char* actionName(ModerationAction action);

using Command = std::variant<Hello, Join, Leave, Send, Like, Ping, Moderate>;

}  // namespace hub::chat::protocol
