// media/restream/rtmp_client.h
//
// The publishing side of RTMP over one blocking TCP socket, for the restreamer's thread: client
// handshake (C0+C1, S0+S1+S2, C2 echoing S1), then connect, releaseStream, FCPublish,
// createStream and publish, each answer awaited with a deadline; after that it sends messages
// and answers the server's pings. Every wait is cut into short slices that look at a stop flag,
// so the owner can always shut it down quickly. Chunking and AMF0 come from media/rtmp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/util/result.h"
#include "media/restream/restreamer.h"
#include "media/rtmp/amf0.h"
#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/chunk_writer.h"
#include "media/rtmp/message.h"

namespace hub::media::restream {

class RtmpClient {
 public:
  RtmpClient(RtmpUrl url, const RestreamOptions& options, const std::atomic<bool>& stop);
  ~RtmpClient();  // closes the socket (without the polite goodbye: see close())
  RtmpClient(const RtmpClient&) = delete;
  RtmpClient& operator=(const RtmpClient&) = delete;

  // Connects and publishes. Codes: restream.connect (TCP), restream.handshake,
  // restream.rejected (the server answered _error or a non-success onStatus),
  // restream.timeout, restream.closed, restream.protocol, restream.stopped.
  Status open();

  // Sends one message on the published stream (audio, video, data): chunk stream 4 for
  // video/data, 6 for audio. Blocks at most sendTimeout. Codes: restream.send,
  // restream.timeout, restream.closed, restream.stopped.
  Status sendMedia(std::uint8_t typeId, std::uint32_t timestampMs, const rtmp::Bytes& body);
  // Reads what the server sent meanwhile without waiting: answers pings; restream.closed when
  // the server hung up.
  Status service();
  // FCUnpublish + deleteStream, then closes.
  void close();

  std::uint64_t bytesSent() const { return bytesSent_; }

 private:
  Status connectTcp();
  Status handshake();
  Status sendCommand(std::uint32_t csid, std::uint32_t streamId, const std::vector<rtmp::Amf0Value>& values);
  Status sendRaw(const rtmp::Bytes& bytes);
  Status sendMessage(std::uint32_t csid, const rtmp::Message& m);
  // Reads until a command answering `transaction` (or onStatus when transaction is 0) arrives.
  Result<std::vector<rtmp::Amf0Value>> awaitReply(double transaction);
  // Waits for the socket to be readable (true) until the deadline; false on timeout.
  Result<bool> waitReadable(std::chrono::steady_clock::time_point deadline);
  Result<std::size_t> readSome(std::uint8_t* buf, std::size_t cap);
  Status readExactly(std::uint8_t* buf, std::size_t n, std::chrono::steady_clock::time_point deadline);
  Status handle(const rtmp::Message& m);

  RtmpUrl url_;
  RestreamOptions options_;
  const std::atomic<bool>& stop_;
  int fd_ = -1;
  rtmp::ChunkReader reader_;
  rtmp::ChunkWriter writer_;
  std::vector<rtmp::Message> pending_;  // messages read but not yet looked at
  std::uint32_t streamId_ = 0;
  std::uint64_t bytesSent_ = 0;
  std::uint64_t lastAckSent_ = 0;
  bool published_ = false;
};

}  // namespace hub::media::restream
