// media/rtmp/fuzz/amf0_fuzz.cpp
//
// Fuzzes the AMF0 decoder (command and metadata payloads from publishers) and checks that what
// it accepts re-encodes to something it accepts again with the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "media/rtmp/amf0.h"

using namespace hub::media::rtmp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto values = decodeAmf0(ByteView(data, size));
  if (!values) return 0;
  const Bytes again = encodeAmf0(*values);
  auto twice = decodeAmf0(again);
  // Undefined and null, long and short strings keep their type; only the ECMA count is
  // normalised, so the values must match exactly.
  if (!twice || !(*twice == *values)) std::abort();
  return 0;
}
