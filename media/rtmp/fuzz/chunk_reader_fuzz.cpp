// media/rtmp/fuzz/chunk_reader_fuzz.cpp
//
// Fuzzes the chunk stream demuxer, which sees every byte a publisher sends after the handshake.
// The first input byte picks how the rest is cut into pieces, so piece boundaries are fuzzed
// too; the messages that come out go to the AMF0 decoder and FLV tag parsers as a session would.
#include <cstddef>
#include <cstdint>

#include "media/rtmp/amf0.h"
#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/flv_tags.h"

using namespace hub::media::rtmp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 64u * 97u;
  ++data;
  --size;
  ChunkReaderLimits limits;
  limits.maxMessageSize = 1 << 20;  // keeps runs fast; the logic is the same
  ChunkReader reader(limits);
  for (std::size_t pos = 0; pos < size; pos += piece) {
    const std::size_t n = size - pos < piece ? size - pos : piece;
    auto out = reader.feed(ByteView(data + pos, n));
    if (!out) break;
    for (const auto& m : *out) {
      if (m.typeId == msg::kCommandAmf0 || m.typeId == msg::kDataAmf0) (void)decodeAmf0(m.payload);
      if (m.typeId == msg::kVideo) (void)parseVideoTag(m.payload);
      if (m.typeId == msg::kAudio) (void)parseAudioTag(m.payload);
    }
  }
  return 0;
}
