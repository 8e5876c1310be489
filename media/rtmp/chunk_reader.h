// media/rtmp/chunk_reader.h
//
// Demultiplexes the RTMP chunk stream (spec section 5.3) of one connection into messages: the
// four chunk header types, 1-3 byte basic headers (csid 2..65599), extended timestamps (also on
// type-3 chunks, as ffmpeg and OBS send them), timestamp deltas, and messages interleaved across
// chunk streams. Set Chunk Size, Abort, Acknowledgement and Window Acknowledgement Size are
// applied here and not handed on; every other message is. Input may arrive in pieces of any
// size. After an error the reader stays failed: the connection is to be closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/util/result.h"
#include "media/rtmp/bytes.h"
#include "media/rtmp/message.h"

namespace hub::media::rtmp {

struct ChunkReaderLimits {
  std::uint32_t minChunkSize = 128;
  std::uint32_t maxChunkSize = 65536;
  std::uint32_t maxMessageSize = 8 * 1024 * 1024;
  // Bounds memory held in partial messages over all chunk streams, and the number of streams.
  std::size_t maxBufferedBytes = 16 * 1024 * 1024;
  std::size_t maxChunkStreams = 64;
};

class ChunkReader {
 public:
  static constexpr std::uint32_t kDefaultChunkSize = 128;

  explicit ChunkReader(ChunkReaderLimits limits = {}) : limits_(limits) {}

  // Takes the next bytes of the connection and returns the messages they complete, in order.
  // Error codes: rtmp.chunk_size, rtmp.message_too_large, rtmp.chunk_no_previous_header,
  // rtmp.chunk_interrupted, rtmp.control_message, rtmp.too_many_chunk_streams,
  // rtmp.buffer_limit.
  Result<std::vector<Message>> feed(ByteView bytes);

  std::uint32_t chunkSize() const { return chunkSize_; }
  // Window Acknowledgement Size the peer announced, and its last Acknowledgement.
  std::optional<std::uint32_t> peerWindowAckSize() const { return peerWindow_; }
  std::optional<std::uint32_t> lastAckReceived() const { return lastAck_; }
  // Bytes fed so far: the server acknowledges them once a window's worth has arrived.
  std::uint64_t bytesReceived() const { return bytesReceived_; }

 private:
  // What a chunk stream remembers from its previous header (the fields later headers omit).
  struct StreamState {
    std::uint32_t timestamp = 0;
    std::uint32_t delta = 0;  // the last timestamp field: the delta a type-3 new message repeats
    std::uint32_t length = 0;
    std::uint8_t typeId = 0;
    std::uint32_t streamId = 0;
    bool extended = false;  // the last header carried an extended timestamp
    std::uint32_t extendedValue = 0;
    bool inProgress = false;  // a partial message is being collected
    Bytes payload;
  };

  // Parses one whole chunk at the read position if it is there; returns false to wait for more.
  Result<bool> readChunk(std::vector<Message>& out);
  Status applyControl(const Message& m);
  Error fail(Error e);

  ChunkReaderLimits limits_;
  std::uint32_t chunkSize_ = kDefaultChunkSize;
  std::optional<std::uint32_t> peerWindow_;
  std::optional<std::uint32_t> lastAck_;
  std::uint64_t bytesReceived_ = 0;
  std::size_t buffered_ = 0;  // bytes in partial messages
  std::map<std::uint32_t, StreamState> streams_;
  Bytes in_;
  std::size_t pos_ = 0;
  std::optional<Error> failed_;
};

}  // namespace hub::media::rtmp
