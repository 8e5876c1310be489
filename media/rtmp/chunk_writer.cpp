// media/rtmp/chunk_writer.cpp
//
// Header choice mirrors ffmpeg's rtmppkt.c, which is also what ChunkReader expects: after a
// type-0 header the repeated "delta" of a type-3 new message is the type-0 timestamp itself.
#include "media/rtmp/chunk_writer.h"

#include <algorithm>

namespace hub::media::rtmp {

namespace {

constexpr std::uint32_t kExtendedMarker = 0xffffff;

void putBasicHeader(Bytes& out, unsigned fmt, std::uint32_t csid) {
  if (csid < 64) {
    putU8(out, fmt << 6 | csid);
  } else if (csid < 64 + 256) {
    putU8(out, fmt << 6);
    putU8(out, csid - 64);
  } else {
    putU8(out, fmt << 6 | 1);
    putU8(out, (csid - 64) & 0xff);
    putU8(out, (csid - 64) >> 8);
  }
}

}  // namespace

void ChunkWriter::write(std::uint32_t csid, const Message& m, Bytes& out) {
  csid = std::clamp<std::uint32_t>(csid, 2, 65599);
  const auto length = static_cast<std::uint32_t>(m.payload.size());
  auto it = previous_.find(csid);
  unsigned fmt = 0;
  std::uint32_t field = m.timestamp;
  if (compress_ && it != previous_.end() && it->second.streamId == m.streamId &&
      m.timestamp >= it->second.timestamp) {
    const Previous& p = it->second;
    field = m.timestamp - p.timestamp;
    fmt = 1;
    if (p.length == length && p.typeId == m.typeId) fmt = field == p.delta ? 3 : 2;
  }
  previous_[csid] = Previous{m.timestamp, field, length, m.typeId, m.streamId};

  const bool extended = field >= kExtendedMarker;
  std::size_t sent = 0;
  bool first = true;
  do {
    putBasicHeader(out, first ? fmt : 3, csid);
    if (first && fmt <= 2) putU24(out, extended ? kExtendedMarker : field);
    if (first && fmt <= 1) {
      putU24(out, length);
      putU8(out, m.typeId);
    }
    if (first && fmt == 0) putU32Le(out, m.streamId);
    if (extended) putU32(out, field);
    const std::size_t take = std::min<std::size_t>(chunkSize_, length - sent);
    out.insert(out.end(), m.payload.begin() + static_cast<std::ptrdiff_t>(sent),
               m.payload.begin() + static_cast<std::ptrdiff_t>(sent + take));
    sent += take;
    first = false;
  } while (sent < length);
}

}  // namespace hub::media::rtmp
