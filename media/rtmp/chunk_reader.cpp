// media/rtmp/chunk_reader.cpp
//
// A chunk is parsed only once all of it (headers and payload) has arrived, so a partial chunk
// never changes state and piece boundaries cannot matter. Timestamps follow ffmpeg's reading of
// the spec, which its own writer relies on: a type-0 header's timestamp is also the delta a
// later type-3 chunk starting a new message repeats.
#include "media/rtmp/chunk_reader.h"

#include <algorithm>
#include <string>
#include <utility>

namespace hub::media::rtmp {

namespace {

constexpr std::size_t kMessageHeaderSize[4] = {11, 7, 3, 0};
constexpr std::uint32_t kExtendedMarker = 0xffffff;

bool isReaderControl(std::uint8_t typeId) {
  return typeId == msg::kSetChunkSize || typeId == msg::kAbort || typeId == msg::kAcknowledgement ||
         typeId == msg::kWindowAckSize;
}

}  // namespace

Error ChunkReader::fail(Error e) {
  failed_ = e;
  return e;
}

Result<std::vector<Message>> ChunkReader::feed(ByteView bytes) {
  if (failed_) return *failed_;
  bytesReceived_ += bytes.size();
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  std::vector<Message> out;
  for (;;) {
    auto more = readChunk(out);
    if (!more) return fail(more.error().wrap("rtmp chunk stream"));
    if (!*more) break;
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(pos_));
  pos_ = 0;
  return out;
}

Result<bool> ChunkReader::readChunk(std::vector<Message>& out) {
  const std::uint8_t* p = in_.data() + pos_;
  const std::size_t avail = in_.size() - pos_;
  if (avail < 1) return false;

  // Basic header: 6-bit csid, or 0 / 1 escaping to one or two more bytes.
  const unsigned fmt = p[0] >> 6;
  std::uint32_t csid = p[0] & 0x3f;
  std::size_t n = 1;
  if (csid == 0) {
    if (avail < 2) return false;
    csid = 64 + p[1];
    n = 2;
  } else if (csid == 1) {
    if (avail < 3) return false;
    csid = 64 + p[1] + (static_cast<std::uint32_t>(p[2]) << 8);
    n = 3;
  }
  if (avail < n + kMessageHeaderSize[fmt]) return false;

  auto it = streams_.find(csid);
  if (it == streams_.end()) {
    if (fmt != 0)
      return makeError("rtmp.chunk_no_previous_header",
                       "chunk type " + std::to_string(fmt) + " on new chunk stream " + std::to_string(csid));
    if (streams_.size() >= limits_.maxChunkStreams)
      return makeError("rtmp.too_many_chunk_streams",
                       "more than " + std::to_string(limits_.maxChunkStreams) + " chunk streams");
  }
  StreamState empty;
  const StreamState& prev = it == streams_.end() ? empty : it->second;
  const bool newMessage = !prev.inProgress;
  if (!newMessage && fmt != 3)
    return makeError("rtmp.chunk_interrupted", "chunk type " + std::to_string(fmt) + " on chunk stream " +
                                                   std::to_string(csid) + " in the middle of a message");

  // Message header into locals; state changes only once the whole chunk is here.
  const std::uint8_t* h = p + n;
  std::uint32_t tsField = prev.delta;
  std::uint32_t length = prev.length;
  std::uint8_t typeId = prev.typeId;
  std::uint32_t streamId = prev.streamId;
  if (fmt <= 2) tsField = readU24(h);
  if (fmt <= 1) {
    length = readU24(h + 3);
    typeId = h[6];
  }
  if (fmt == 0) streamId = readU32Le(h + 7);
  n += kMessageHeaderSize[fmt];

  bool extended = prev.extended;
  if (fmt <= 2) extended = tsField == kExtendedMarker;
  if (extended) {
    if (avail < n + 4) return false;
    const std::uint32_t value = readU32(p + n);
    // A type-3 continuation repeats the extended field; a few encoders leave it out, which shows
    // as a value different from the one it should repeat.
    if (fmt != 3 || newMessage || value == prev.extendedValue) {
      tsField = value;
      n += 4;
    } else {
      tsField = prev.extendedValue;
    }
  }

  if (newMessage && length > limits_.maxMessageSize)
    return makeError("rtmp.message_too_large", "message of " + std::to_string(length) +
                                                   " bytes above limit " +
                                                   std::to_string(limits_.maxMessageSize));
  const std::size_t have = newMessage ? 0 : prev.payload.size();
  const std::size_t take = std::min<std::size_t>(chunkSize_, length - have);
  if (avail < n + take) return false;
  if (buffered_ + take > limits_.maxBufferedBytes)
    return makeError("rtmp.buffer_limit", "partial messages hold more than " +
                                              std::to_string(limits_.maxBufferedBytes) + " bytes");

  StreamState& st = streams_[csid];
  if (newMessage) {
    if (fmt == 0)
      st.timestamp = tsField;
    else
      st.timestamp += tsField;  // 32-bit wrap is what RTMP timestamps do
    st.delta = tsField;
    st.length = length;
    st.typeId = typeId;
    st.streamId = streamId;
    st.extended = extended;
    st.extendedValue = extended ? tsField : 0;
    st.inProgress = true;
    st.payload.clear();
  }
  st.payload.insert(st.payload.end(), p + n, p + n + take);
  buffered_ += take;
  pos_ += n + take;

  if (st.payload.size() == st.length) {
    buffered_ -= st.payload.size();
    st.inProgress = false;
    Message m{st.typeId, st.streamId, st.timestamp, std::exchange(st.payload, {})};
    if (isReaderControl(m.typeId)) {
      if (auto s = applyControl(m); !s) return s.error();
    } else {
      out.push_back(std::move(m));
    }
  }
  return true;
}

Status ChunkReader::applyControl(const Message& m) {
  if (m.payload.size() < 4)
    return makeError("rtmp.control_message", "control message type " + std::to_string(m.typeId) + " with " +
                                                 std::to_string(m.payload.size()) + " bytes, want 4");
  const std::uint32_t value = readU32(m.payload.data());
  switch (m.typeId) {
    case msg::kSetChunkSize:
      if (value < limits_.minChunkSize || value > limits_.maxChunkSize)
        return makeError("rtmp.chunk_size", "chunk size " + std::to_string(value) + " outside " +
                                                std::to_string(limits_.minChunkSize) + ".." +
                                                std::to_string(limits_.maxChunkSize));
      chunkSize_ = value;
      break;
    case msg::kAbort:
      if (auto it = streams_.find(value); it != streams_.end() && it->second.inProgress) {
        buffered_ -= it->second.payload.size();
        it->second.payload = {};
        it->second.inProgress = false;
      }
      break;
    case msg::kAcknowledgement:
      lastAck_ = value;
      break;
    case msg::kWindowAckSize:
      peerWindow_ = value;
      break;
    default:
      break;
  }
  return {};
}

}  // namespace hub::media::rtmp
