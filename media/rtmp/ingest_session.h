// media/rtmp/ingest_session.h
//
// One publisher connection as a state machine over bytes, without sockets: feed() what the
// client sent, send what takeOutput() returns, close when feed() fails or closeAfterOutput()
// says so. It runs the handshake, the chunk stream, acknowledgements and ping answers, the
// connect / releaseStream / FCPublish / createStream / publish / FCUnpublish / deleteStream
// commands with their _result and onStatus replies, @setDataFrame metadata, and hands audio
// and video to a FrameAssembler once the stream key was accepted. The server (ingest_server.h)
// and the unit tests drive it the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/util/clock.h"
#include "core/util/result.h"
#include "media/frames/frame.h"
#include "media/rtmp/bytes.h"
#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/chunk_writer.h"
#include "media/rtmp/frame_assembler.h"
#include "media/rtmp/handshake.h"

namespace hub::media::rtmp {

// What a session asks of whoever runs it.
class IngestSessionHost {
 public:
  virtual ~IngestSessionHost() = default;
  // The stream a publish key belongs to. Must not block. Error code rtmp.bad_key.
  virtual Result<std::string> resolveKey(std::string_view key) = 0;
  // The key was accepted: the sink this publisher's tracks and frames go to, valid until
  // publishEnded(). An older publisher of the same stream is replaced (taken over).
  virtual FrameSink& publishStarted(const std::string& stream) = 0;
  // The publisher unpublished or its connection is going away (not called after a takeover).
  virtual void publishEnded(const std::string& stream) = 0;
};

struct IngestSessionOptions {
  ChunkReaderLimits limits;
  std::uint32_t outChunkSize = 4096;
  std::uint32_t windowAckSize = 2'500'000;
  std::string app = "live";  // the application name publishers connect to
};

class IngestSession {
 public:
  enum class State { Handshake, WaitConnect, Connected, Publishing, Closing };

  IngestSession(IngestSessionHost& host, const Clock& clock, IngestSessionOptions options = {});
  ~IngestSession();
  IngestSession(const IngestSession&) = delete;
  IngestSession& operator=(const IngestSession&) = delete;

  // Takes the next bytes from the client. An error means: close the connection now (after
  // sending what output holds). Codes: the chunk reader's, the assembler's, rtmp.handshake_version,
  // rtmp.bad_command, rtmp.bad_app, rtmp.bad_key, rtmp.unexpected_message,
  // rtmp.play_unsupported, rtmp.amf0_*.
  Status feed(ByteView bytes);
  Bytes takeOutput();
  bool hasOutput() const { return !out_.empty(); }

  // The publisher was replaced by a newer one: stop handing frames on, do not report an end.
  void takenOver();
  // The connection is going away for any reason; reports publishEnded when publishing.
  void closed();

  State state() const { return state_; }
  const std::string& stream() const { return stream_; }  // set once publishing
  std::uint64_t bytesIn() const { return bytesIn_; }
  const FrameAssembler* assembler() const { return assembler_.get(); }

 private:
  Status onMessage(Message& m);
  Status onCommand(const Message& m, std::size_t skip);
  Status onData(const Message& m, std::size_t skip);
  Status onMedia(Message& m);
  Status onAggregate(Message& m);
  Status publish(double txn, std::uint32_t streamId, const std::string& name);
  void sendResult(double txn, std::vector<Amf0Value> values);
  void sendStatus(std::uint32_t streamId, const std::string& level, const std::string& code,
                  const std::string& description);
  void sendControl(const Message& m);
  void maybeAcknowledge();

  IngestSessionHost& host_;
  const Clock& clock_;
  IngestSessionOptions options_;
  State state_ = State::Handshake;
  Handshake handshake_;
  ChunkReader reader_;
  ChunkWriter writer_;
  Bytes out_;
  std::uint64_t bytesIn_ = 0;
  std::uint64_t lastAckAt_ = 0;
  std::uint32_t nextStreamId_ = 1;
  std::uint32_t publishStreamId_ = 0;
  std::string stream_;
  FrameSink* sink_ = nullptr;
  std::unique_ptr<FrameAssembler> assembler_;
};

}  // namespace hub::media::rtmp
