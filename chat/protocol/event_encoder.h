// chat/protocol/event_encoder.h
//
// Encodes server events as JSON text, keys in the documented order, no spaces. An event for a
// room is encoded once and the same immutable buffer is queued on every connection of the room
// (SharedFrame), so fan-out cost does not grow with the size of the text.
//
// Strings are escaped as JSON requires; invalid UTF-8 (which the decoder never lets in, but a
// system notice might carry) is replaced by U+FFFD so the output is always valid UTF-8 — a
// browser closes the socket on anything else.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "chat/protocol/event.h"

namespace hub::chat::protocol {

using SharedFrame = std::shared_ptr<const std::string>;

std::string encodeEvent(const Event& event);

// Encodes once into a buffer many connections can hold at the same time.
SharedFrame encodeShared(const Event& event);

// Appends `s` as a quoted JSON string. Exposed for the tests and for other encoders.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace hub::chat::protocol
