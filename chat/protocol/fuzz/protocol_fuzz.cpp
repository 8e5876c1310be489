// chat/protocol/fuzz/protocol_fuzz.cpp
//
// Fuzzes the client frame decoder, which sees raw bytes from every browser. Any input must give
// a Command or an Error, never a crash or a hang; a decoded send must respect the length limit,
// and re-encoding what was decoded must give valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chat/protocol/command_decoder.h"
#include "chat/protocol/event_encoder.h"
#include "chat/protocol/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hub::chat::protocol;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)countCodePoints(in);
  auto cmd = decodeCommand(in);
  if (cmd) {
    if (const auto* send = std::get_if<Send>(&*cmd)) {
      if (countCodePoints(send->text) > 200 || !validRoomName(send->room)) std::abort();
      std::string out = encodeEvent(Message{send->room, 1, UserInfo{1, "u", "user"}, send->text, 0});
      if (!validUtf8(out)) std::abort();
    }
  } else if (cmd.error().code.empty()) {
    std::abort();
  }
  // The encoder must cope with arbitrary bytes too (system notices are not decoded first).
  if (!validUtf8(encodeEvent(ErrorEvent{"x", std::string(in)}))) std::abort();
  return 0;
}
