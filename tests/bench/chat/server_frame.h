// tests/bench/chat/server_frame.h
//
// One RFC 6455 server text frame (FIN, unmasked) around a payload under 64 KiB: what the
// generator's receive test feeds it and what the send floor writes.
#pragma once

#include <string>

namespace hub::bench {

inline std::string serverTextFrame(const std::string& payload) {
  std::string f(1, '\x81');
  if (payload.size() < 126) {
    f += static_cast<char>(payload.size());
  } else {
    f += static_cast<char>(126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  return f + payload;
}

}  // namespace hub::bench
