// media/rtmp/chunk_writer.h
//
// Serializes messages into chunks of the current chunk size: the server's replies, and the input
// tests and fuzz corpora are built from. Headers are compressed the way ffmpeg's writer does it
// (type 1/2/3 when fields repeat), so the reader's handling of every header type is exercised by
// ordinary traffic; extended timestamps are repeated on type-3 chunks as the spec asks.
#pragma once

#include <cstdint>
#include <map>

#include "media/rtmp/bytes.h"
#include "media/rtmp/message.h"

namespace hub::media::rtmp {

class ChunkWriter {
 public:
  explicit ChunkWriter(std::uint32_t chunkSize = 128, bool compressHeaders = true)
      : chunkSize_(chunkSize ? chunkSize : 128), compress_(compressHeaders) {}

  // Takes effect for the next message; send a Set Chunk Size message first (control_messages.h).
  void setChunkSize(std::uint32_t size) { chunkSize_ = size ? size : 128; }
  std::uint32_t chunkSize() const { return chunkSize_; }

  // Appends `m` as chunks on chunk stream `csid` (2..65599) to `out`.
  void write(std::uint32_t csid, const Message& m, Bytes& out);

 private:
  struct Previous {
    std::uint32_t timestamp = 0;
    std::uint32_t delta = 0;
    std::uint32_t length = 0;
    std::uint8_t typeId = 0;
    std::uint32_t streamId = 0;
  };

  std::uint32_t chunkSize_;
  bool compress_;
  std::map<std::uint32_t, Previous> previous_;
};

}  // namespace hub::media::rtmp
