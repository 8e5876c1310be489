// chat/protocol/command_decoder.h
//
// Decodes one client text frame into a Command, with the limits every parser of network input
// must have (frame size, JSON depth, room name syntax, text length). Bad input is an ordinary
// Error value with a stable code; the session answers it with an error event or a close code:
//
//   chat.frame_too_large  frame above maxFrameBytes            -> close 1009
//   chat.bad_utf8         frame is not valid UTF-8             -> close 1007
//   chat.bad_request      malformed JSON, not an object, unknown op, missing field, wrong type,
//                         bad room name, bad count             -> error event, connection stays
//   chat.too_long         text above maxTextCodePoints         -> error event
//
// Unknown fields are ignored so that newer clients can talk to older servers. Pure and
// thread-safe: it keeps no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/protocol/command.h"
#include "core/util/result.h"

namespace hub::chat::protocol {

struct DecodeLimits {
  std::size_t maxFrameBytes = 4096;     // a full 200-code-point text escaped as \uXXXX fits
  int maxDepth = 4;                     // commands are flat objects; nesting is never needed
  std::size_t maxTextCodePoints = 200;  // "200 characters", counted in code points
  std::size_t maxTokenBytes = 2048;
  std::size_t maxRoomBytes = 64;
  std::uint32_t maxLikeCount = 1000;  // per frame; the per-second cap is the aggregator's
};

// Room names: 1 to maxRoomBytes of [A-Za-z0-9._-], starting with a letter or digit (the same
// names streams have, so a stream's room is its name).
bool validRoomName(std::string_view room, std::size_t maxBytes = 64);

[[nodiscard]] Result<Command> decodeCommand(std::string_view frame, const DecodeLimits& limits = {});

}  // namespace hub::chat::protocol
