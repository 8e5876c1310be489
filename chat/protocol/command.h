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

using Command = std::variant<Hello, Join, Leave, Send, Like, Ping>;

}  // namespace hub::chat::protocol
