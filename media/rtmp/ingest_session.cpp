// media/rtmp/ingest_session.cpp
//
// Replies follow what ffmpeg, OBS (librtmp) and GStreamer's rtmp2sink wait for: connect gets
// Window Acknowledgement Size, Set Peer Bandwidth, Set Chunk Size and _result with
// NetConnection.Connect.Success; createStream gets _result with the new stream id; publish gets
// Stream Begin and onStatus NetStream.Publish.Start, or onStatus NetStream.Publish.BadName
// (level error) for a wrong key, after which the connection closes.
#include "media/rtmp/ingest_session.h"

#include "media/rtmp/amf0.h"
#include "media/rtmp/control_messages.h"

namespace hub::media::rtmp {
namespace {

constexpr std::uint32_t kCommandChunkStream = 3;
constexpr std::uint32_t kStatusChunkStream = 5;

Error badCommand(const std::string& what) { return makeError("rtmp.bad_command", what); }

// "key?token=x" -> "key": encoders append query strings to the stream name.
std::string stripQuery(std::string s) {
  auto q = s.find('?');
  if (q != std::string::npos) s.resize(q);
  return s;
}

std::string appOf(std::string app) {
  app = stripQuery(std::move(app));
  while (!app.empty() && app.back() == '/') app.pop_back();
  return app;
}

}  // namespace

IngestSession::IngestSession(IngestSessionHost& host, const Clock& clock, IngestSessionOptions options)
    : host_(host),
      clock_(clock),
      options_(std::move(options)),
      handshake_(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady().time_since_epoch()).count())),
      reader_(options_.limits) {}

IngestSession::~IngestSession() = default;

Bytes IngestSession::takeOutput() {
  Bytes b;
  b.swap(out_);
  return b;
}

void IngestSession::takenOver() {
  sink_ = nullptr;
  assembler_.reset();
  state_ = State::Closing;
}

void IngestSession::closed() {
  if (state_ == State::Publishing && sink_) {
    if (assembler_) assembler_->flush();
    sink_ = nullptr;
    host_.publishEnded(stream_);
  }
  state_ = State::Closing;
}

Status IngestSession::feed(ByteView bytes) {
  if (state_ == State::Closing) return {};
  bytesIn_ += bytes.size();
  if (state_ == State::Handshake) {
    auto used = handshake_.feed(bytes);
    if (!used) return used.error().wrap("handshake");
    auto reply = handshake_.takeOutput();
    out_.insert(out_.end(), reply.begin(), reply.end());
    if (!handshake_.done()) return {};
    state_ = State::WaitConnect;
    bytes = bytes.subspan(*used);
    if (bytes.empty()) return {};
  }
  auto messages = reader_.feed(bytes);
  if (!messages) return messages.error();
  for (auto& m : *messages) {
    if (auto st = onMessage(m); !st) return st;
    if (state_ == State::Closing) break;
  }
  maybeAcknowledge();
  return {};
}

void IngestSession::maybeAcknowledge() {
  std::uint64_t received = reader_.bytesReceived();
  std::uint64_t window = reader_.peerWindowAckSize().value_or(options_.windowAckSize);
  if (window == 0 || received - lastAckAt_ < window) return;
  lastAckAt_ = received;
  sendControl(acknowledgementMessage(static_cast<std::uint32_t>(received)));
}

void IngestSession::sendControl(const Message& m) { writer_.write(kControlChunkStream, m, out_); }

void IngestSession::sendResult(double txn, std::vector<Amf0Value> values) {
  std::vector<Amf0Value> all{Amf0Value::string("_result"), Amf0Value::number(txn)};
  for (auto& v : values) all.push_back(std::move(v));
  Message m;
  m.typeId = msg::kCommandAmf0;
  m.payload = encodeAmf0(all);
  writer_.write(kCommandChunkStream, m, out_);
}

void IngestSession::sendStatus(std::uint32_t streamId, const std::string& level, const std::string& code,
                               const std::string& description) {
  Message m;
  m.typeId = msg::kCommandAmf0;
  m.streamId = streamId;
  m.payload = encodeAmf0({Amf0Value::string("onStatus"), Amf0Value::number(0), Amf0Value::null(),
                          Amf0Value::object({{"level", Amf0Value::string(level)},
                                             {"code", Amf0Value::string(code)},
                                             {"description", Amf0Value::string(description)}})});
  writer_.write(kStatusChunkStream, m, out_);
}

Status IngestSession::onMessage(Message& m) {
  switch (m.typeId) {
    case msg::kCommandAmf0:
      return onCommand(m, 0);
    case msg::kCommandAmf3:  // AMF3 command: a format byte, then AMF0 values
      return onCommand(m, 1);
    case msg::kDataAmf0:
      return onData(m, 0);
    case msg::kDataAmf3:
      return onData(m, 1);
    case msg::kAudio:
    case msg::kVideo:
      return onMedia(m);
    case msg::kAggregate:
      return onAggregate(m);
    case msg::kUserControl:
      if (m.payload.size() >= 6 && readU16(m.payload.data()) == 6)  // Ping Request
        sendControl(userControlMessage(7, readU32(m.payload.data() + 2)));
      return {};
    case msg::kSetPeerBandwidth:
      return {};
    default:
      return makeError("rtmp.unexpected_message", "message type " + std::to_string(m.typeId));
  }
}

Status IngestSession::onCommand(const Message& m, std::size_t skip) {
  if (m.payload.size() < skip) return badCommand("empty AMF3 command");
  auto values = decodeAmf0(ByteView(m.payload).subspan(skip));
  if (!values) return values.error().wrap("command");
  const auto& v = *values;
  if (v.empty() || !v[0].isString()) return badCommand("command without a name");
  const std::string& name = v[0].asString();
  double txn = v.size() > 1 && v[1].isNumber() ? v[1].asNumber() : 0;
  auto stringArg = [&](std::size_t i) -> std::string {
    return v.size() > i && v[i].isString() ? v[i].asString() : std::string();
  };

  if (name == "connect") {
    if (state_ != State::WaitConnect) return badCommand("connect sent twice");
    std::string app;
    if (v.size() > 2 && v[2].isObject())
      if (const Amf0Value* a = v[2].get("app"); a && a->isString()) app = a->asString();
    if (appOf(app) != options_.app) {
      Message err;
      err.typeId = msg::kCommandAmf0;
      err.payload =
          encodeAmf0({Amf0Value::string("_error"), Amf0Value::number(txn), Amf0Value::null(),
                      Amf0Value::object({{"level", Amf0Value::string("error")},
                                         {"code", Amf0Value::string("NetConnection.Connect.Rejected")},
                                         {"description", Amf0Value::string("unknown application")}})});
      writer_.write(kCommandChunkStream, err, out_);
      state_ = State::Closing;
      return makeError("rtmp.bad_app",
                       "application \"" + app.substr(0, 64) + "\" is not \"" + options_.app + "\"");
    }
    sendControl(windowAckSizeMessage(options_.windowAckSize));
    sendControl(setPeerBandwidthMessage(options_.windowAckSize, 2));
    sendControl(setChunkSizeMessage(options_.outChunkSize));
    writer_.setChunkSize(options_.outChunkSize);
    sendResult(txn, {Amf0Value::object({{"fmsVer", Amf0Value::string("FMS/3,0,1,123")},
                                        {"capabilities", Amf0Value::number(31)}}),
                     Amf0Value::object({{"level", Amf0Value::string("status")},
                                        {"code", Amf0Value::string("NetConnection.Connect.Success")},
                                        {"description", Amf0Value::string("Connection succeeded.")},
                                        {"objectEncoding", Amf0Value::number(0)}})});
    state_ = State::Connected;
    return {};
  }
  if (state_ == State::WaitConnect) return badCommand("\"" + name.substr(0, 64) + "\" before connect");

  if (name == "releaseStream" || name == "FCPublish" || name == "FCUnpublish" || name == "getStreamLength") {
    if (txn != 0) sendResult(txn, {Amf0Value::null()});
    return {};
  }
  if (name == "createStream") {
    sendResult(txn, {Amf0Value::null(), Amf0Value::number(nextStreamId_++)});
    return {};
  }
  if (name == "publish") {
    if (state_ == State::Publishing) return badCommand("publish while already publishing");
    return publish(txn, m.streamId, stripQuery(stringArg(3)));
  }
  if (name == "deleteStream" || name == "closeStream") {
    closed();
    state_ = State::Connected;
    return {};
  }
  if (name == "play" || name == "play2") {
    sendStatus(m.streamId, "error", "NetStream.Play.Failed", "this server only takes publishers");
    state_ = State::Closing;
    return makeError("rtmp.play_unsupported", "play is not supported");
  }
  // Other commands (_checkbw, getStreamLength, ...) are answered when they expect an answer.
  if (txn != 0) sendResult(txn, {Amf0Value::null()});
  return {};
}

Status IngestSession::publish(double, std::uint32_t streamId, const std::string& key) {
  auto stream =
      key.empty() ? Result<std::string>(makeError("rtmp.bad_key", "no stream key")) : host_.resolveKey(key);
  if (!stream) {
    sendStatus(streamId, "error", "NetStream.Publish.BadName", "invalid stream key");
    state_ = State::Closing;
    return stream.error();
  }
  stream_ = *stream;
  publishStreamId_ = streamId;
  sendControl(userControlMessage(0, streamId));  // Stream Begin
  sendStatus(streamId, "status", "NetStream.Publish.Start", stream_ + " is now published.");
  sink_ = &host_.publishStarted(stream_);
  assembler_ = std::make_unique<FrameAssembler>(*sink_);
  state_ = State::Publishing;
  return {};
}

Status IngestSession::onData(const Message& m, std::size_t skip) {
  if (m.payload.size() < skip) return {};
  auto values = decodeAmf0(ByteView(m.payload).subspan(skip));
  if (!values) return values.error().wrap("data message");
  const auto& v = *values;
  std::size_t at = 0;
  if (!v.empty() && v[0].isString() && v[0].asString() == "@setDataFrame") at = 1;
  if (v.size() > at + 1 && v[at].isString() && v[at].asString() == "onMetaData" && assembler_)
    assembler_->metadata(v[at + 1]);
  return {};
}

Status IngestSession::onMedia(Message& m) {
  if (state_ != State::Publishing || !assembler_) {
    // Media before publish is a client bug; after an unpublish it is a late packet.
    if (state_ == State::Connected) return {};
    return makeError("rtmp.unexpected_message", "media before publish");
  }
  if (m.payload.empty()) return {};  // empty audio/video messages are keep-alives
  auto wall = clock_.wall();
  return m.typeId == msg::kVideo ? assembler_->video(m.timestamp, std::move(m.payload), wall)
                                 : assembler_->audio(m.timestamp, std::move(m.payload), wall);
}

Status IngestSession::onAggregate(Message& m) {
  // FLV tags back to back: type(1) size(3) timestamp(3+1) stream id(3) body, previous size(4).
  // Sub-message times are relative to the first tag's, rebased on the aggregate's timestamp.
  const Bytes& p = m.payload;
  std::size_t pos = 0;
  std::optional<std::uint32_t> base;
  while (pos + 11 <= p.size()) {
    Message sub;
    sub.typeId = p[pos];
    std::size_t size = readU24(&p[pos + 1]);
    std::uint32_t ts = readU24(&p[pos + 4]) | static_cast<std::uint32_t>(p[pos + 7]) << 24;
    if (pos + 11 + size + 4 > p.size()) return makeError("rtmp.bad_aggregate", "aggregate tag truncated");
    if (!base) base = ts;
    sub.timestamp = m.timestamp + (ts - *base);
    sub.streamId = m.streamId;
    sub.payload.assign(p.begin() + static_cast<std::ptrdiff_t>(pos + 11),
                       p.begin() + static_cast<std::ptrdiff_t>(pos + 11 + size));
    pos += 11 + size + 4;
    if (sub.typeId != msg::kAudio && sub.typeId != msg::kVideo && sub.typeId != msg::kDataAmf0) continue;
    if (auto st = onMessage(sub); !st) return st;
  }
  return {};
}

}  // namespace hub::media::rtmp
