// tests/support/hevc_publisher.cpp
#include "tests/support/hevc_publisher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "media/rtmp/amf0.h"
#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/chunk_writer.h"
#include "media/rtmp/message.h"
#include "media/rtmp/sps_parser.h"

namespace hub::test {
namespace {

using media::rtmp::Amf0Value;
using media::rtmp::Bytes;
using media::rtmp::ByteView;
using media::rtmp::Message;
namespace msg = media::rtmp::msg;

Error io(const std::string& what) { return makeError("test.io", what); }

// One NAL unit of an Annex B stream, header included.
std::vector<ByteView> splitAnnexB(const Bytes& data) {
  std::vector<ByteView> nals;
  std::size_t i = 0, start = std::string::npos;
  while (i + 3 <= data.size()) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (start != std::string::npos) {
        std::size_t end = i;
        while (end > start && data[end - 1] == 0) --end;
        nals.emplace_back(data.data() + start, end - start);
      }
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  if (start != std::string::npos && start < data.size())
    nals.emplace_back(data.data() + start, data.size() - start);
  return nals;
}

int nalType(ByteView nal) { return (nal[0] >> 1) & 0x3f; }

// ISO/IEC 14496-15 8.3.3.1: general profile/tier/level copied from the SPS.
Bytes hvcC(ByteView vps, ByteView sps, ByteView pps) {
  Bytes rbsp = media::rtmp::unescapeNal(sps, 2);
  Bytes c = {1};
  for (std::size_t i = 1; i <= 12; ++i) c.push_back(i < rbsp.size() ? rbsp[i] : 0);  // byte 0: ids
  for (std::uint8_t b : {0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f}) c.push_back(b);
  c.push_back(3);
  for (auto [type, nal] : {std::pair{32, vps}, std::pair{33, sps}, std::pair{34, pps}}) {
    c.push_back(static_cast<std::uint8_t>(0x80 | type));
    media::rtmp::putU16(c, 1);
    media::rtmp::putU16(c, static_cast<std::uint32_t>(nal.size()));
    c.insert(c.end(), nal.begin(), nal.end());
  }
  return c;
}

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status open(const std::string& host, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      return io("connect failed");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return {};
  }
  Status send(const Bytes& b) {
    std::size_t sent = 0;
    while (sent < b.size()) {
      auto n = ::send(fd_, b.data() + sent, b.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return io("send failed: connection closed");
      sent += static_cast<std::size_t>(n);
    }
    return {};
  }
  Result<Bytes> read(std::size_t exactly) {
    Bytes b(exactly);
    std::size_t got = 0;
    while (got < exactly) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return io("read timed out");
      auto n = ::recv(fd_, b.data() + got, exactly - got, 0);
      if (n <= 0) return io("connection closed by the server");
      got += static_cast<std::size_t>(n);
    }
    return b;
  }
  // Reads messages until a command named `name` (or "onStatus"/"_error") arrives.
  Result<std::vector<Amf0Value>> command() {
    for (;;) {
      while (!pending_.empty()) {
        Message m = std::move(pending_.front());
        pending_.erase(pending_.begin());
        if (m.typeId != msg::kCommandAmf0) continue;
        auto v = media::rtmp::decodeAmf0(m.payload);
        if (v && !v->empty()) return *v;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return io("no answer from the server");
      std::uint8_t buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return io("connection closed by the server");
      auto ms = reader_.feed(ByteView(buf, static_cast<std::size_t>(n)));
      if (!ms) return ms.error();
      for (auto& m : *ms) pending_.push_back(std::move(m));
    }
  }

 private:
  int fd_ = -1;
  media::rtmp::ChunkReader reader_;
  std::vector<Message> pending_;
};

}  // namespace

Status publishHevcFile(const std::string& annexBPath, const HevcPublishOptions& o) {
  std::ifstream in(annexBPath, std::ios::binary);
  if (!in) return io("cannot read " + annexBPath);
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto nals = splitAnnexB(data);
  ByteView vps, sps, pps;
  // Access units: a VCL NAL with first_slice_segment_in_pic_flag set starts a new one.
  std::vector<std::vector<ByteView>> units;
  std::vector<bool> keys;
  for (auto nal : nals) {
    if (nal.size() < 3) continue;
    int t = nalType(nal);
    if (t == 32 && vps.empty()) vps = nal;
    if (t == 33 && sps.empty()) sps = nal;
    if (t == 34 && pps.empty()) pps = nal;
    if (t >= 32) continue;  // parameter sets go in the hvcC, SEI/AUD are not needed
    if ((nal[2] & 0x80) || units.empty()) {
      units.emplace_back();
      keys.push_back(t >= 16 && t <= 23);
    }
    units.back().push_back(nal);
  }
  if (vps.empty() || sps.empty() || pps.empty() || units.empty())
    return makeError("test.hevc", "no VPS/SPS/PPS or pictures in " + annexBPath);

  Connection c;
  if (auto st = c.open(o.host, o.port); !st) return st;
  Bytes c0c1(1 + 1536, 0);
  c0c1[0] = 3;
  if (auto st = c.send(c0c1); !st) return st;
  auto s0s1s2 = c.read(1 + 2 * 1536);
  if (!s0s1s2) return s0s1s2.error();
  Bytes c2(s0s1s2->begin() + 1, s0s1s2->begin() + 1 + 1536);
  if (auto st = c.send(c2); !st) return st;

  media::rtmp::ChunkWriter w(128);
  auto sendCommand = [&](std::vector<Amf0Value> values, std::uint32_t streamId, std::uint32_t csid) {
    Message m;
    m.typeId = msg::kCommandAmf0;
    m.streamId = streamId;
    m.payload = media::rtmp::encodeAmf0(values);
    Bytes out;
    w.write(csid, m, out);
    return c.send(out);
  };
  std::string tcUrl = "rtmp://" + o.host + ":" + std::to_string(o.port) + "/" + o.app;
  if (auto st = sendCommand(
          {Amf0Value::string("connect"), Amf0Value::number(1),
           Amf0Value::object({{"app", Amf0Value::string(o.app)},
                              {"type", Amf0Value::string("nonprivate")},
                              {"tcUrl", Amf0Value::string(tcUrl)},
                              {"fourCcList", Amf0Value::strictArray({Amf0Value::string("hvc1")})}})},
          0, 3);
      !st)
    return st;
  auto connected = c.command();
  if (!connected) return connected.error();
  if (auto st =
          sendCommand({Amf0Value::string("createStream"), Amf0Value::number(2), Amf0Value::null()}, 0, 3);
      !st)
    return st;
  double streamId = 1;
  for (;;) {
    auto r = c.command();
    if (!r) return r.error();
    if ((*r)[0].asString() == "_result" && r->size() > 3 && (*r)[3].isNumber()) {
      streamId = (*r)[3].asNumber();
      break;
    }
  }
  auto sid = static_cast<std::uint32_t>(streamId);
  if (auto st = sendCommand({Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
                             Amf0Value::string(o.key), Amf0Value::string("live")},
                            sid, 4);
      !st)
    return st;
  for (;;) {
    auto r = c.command();
    if (!r) return r.error();
    if ((*r)[0].asString() != "onStatus" || r->size() < 4) continue;
    const Amf0Value* code = (*r)[3].get("code");
    std::string text = code && code->isString() ? code->asString() : "";
    if (text == "NetStream.Publish.Start") break;
    return makeError("test.refused", text);
  }

  auto sendMedia = [&](Bytes payload, std::uint32_t timestamp) {
    Message m;
    m.typeId = msg::kVideo;
    m.streamId = sid;
    m.timestamp = timestamp;
    m.payload = std::move(payload);
    Bytes out;
    w.write(6, m, out);
    return c.send(out);
  };
  Bytes header = {0x90, 'h', 'v', 'c', '1'};  // key frame, SequenceStart
  auto record = hvcC(vps, sps, pps);
  header.insert(header.end(), record.begin(), record.end());
  if (auto st = sendMedia(header, 0); !st) return st;
  auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < units.size(); ++i) {
    auto ms = static_cast<std::uint32_t>(static_cast<double>(i) * 1000.0 / o.fps);
    if (o.realtime) std::this_thread::sleep_until(start + std::chrono::milliseconds(ms));
    Bytes body = {static_cast<std::uint8_t>(keys[i] ? 0x93 : 0xa3), 'h', 'v', 'c', '1'};  // CodedFramesX
    for (auto nal : units[i]) {
      media::rtmp::putU32(body, static_cast<std::uint32_t>(nal.size()));
      body.insert(body.end(), nal.begin(), nal.end());
    }
    if (auto st = sendMedia(std::move(body), ms); !st) return st;
  }
  (void)sendCommand(
      {Amf0Value::string("FCUnpublish"), Amf0Value::number(5), Amf0Value::null(), Amf0Value::string(o.key)},
      0, 3);
  return sendCommand({Amf0Value::string("deleteStream"), Amf0Value::number(6), Amf0Value::null(),
                      Amf0Value::number(streamId)},
                     0, 3);
}

}  // namespace hub::test
