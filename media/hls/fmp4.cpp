// media/hls/fmp4.cpp
//
// Box layouts for the init segment and fragments. Fragments use default-base-is-moof, a
// version 1 tfdt (64-bit decode times) and a version 1 trun (signed composition offsets, so a
// part's first frame may start a few ticks before its pts).
#include "media/hls/fmp4.h"

#include <algorithm>

#include "media/hls/box_writer.h"
#include "media/hls/codec_string.h"

namespace hub::media::hls {
namespace {

constexpr std::uint32_t kVideoTimescale = 90000;
constexpr std::uint32_t kSampleKey = 0x02000000;     // depends on no other sample
constexpr std::uint32_t kSampleNonKey = 0x01010000;  // depends on others, not a sync sample

void matrix(BoxWriter& w) {
  const std::uint32_t m[9] = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
  for (auto v : m) w.u32(v);
}

void mvhd(BoxWriter& w, std::uint32_t nextTrack) {
  auto b = w.beginFull("mvhd", 0, 0);
  w.u32(0);  // creation time
  w.u32(0);  // modification time
  w.u32(1000);
  w.u32(0);  // duration: unknown (fragmented)
  w.u32(0x00010000);
  w.u16(0x0100);
  w.zeros(10);
  matrix(w);
  w.zeros(24);
  w.u32(nextTrack);
  w.end(b);
}

void tkhd(BoxWriter& w, std::uint32_t id, const TrackInfo& t) {
  auto b = w.beginFull("tkhd", 0, 3);  // enabled, in movie
  w.u32(0);
  w.u32(0);
  w.u32(id);
  w.u32(0);
  w.u32(0);  // duration
  w.zeros(8);
  w.u16(0);  // layer
  w.u16(0);  // alternate group
  w.u16(isVideo(t.codec) ? 0 : 0x0100);
  w.u16(0);
  matrix(w);
  w.u32(static_cast<std::uint32_t>(std::max(t.width, 0)) << 16);
  w.u32(static_cast<std::uint32_t>(std::max(t.height, 0)) << 16);
  w.end(b);
}

void mdhd(BoxWriter& w, std::uint32_t timescale) {
  auto b = w.beginFull("mdhd", 0, 0);
  w.u32(0);
  w.u32(0);
  w.u32(timescale);
  w.u32(0);
  w.u16(0x55c4);  // "und"
  w.u16(0);
  w.end(b);
}

void hdlr(BoxWriter& w, bool video) {
  auto b = w.beginFull("hdlr", 0, 0);
  w.u32(0);
  w.fourcc(video ? "vide" : "soun");
  w.zeros(12);
  w.bytes(std::string_view(video ? "VideoHandler" : "SoundHandler"));
  w.u8(0);
  w.end(b);
}

void dinf(BoxWriter& w) {
  auto d = w.begin("dinf");
  auto r = w.beginFull("dref", 0, 0);
  w.u32(1);
  auto u = w.beginFull("url ", 0, 1);  // self-contained
  w.end(u);
  w.end(r);
  w.end(d);
}

void visualEntry(BoxWriter& w, const TrackInfo& t) {
  bool hevc = t.codec == Codec::Hevc;
  auto e = w.begin(hevc ? "hvc1" : "avc1");
  w.zeros(6);
  w.u16(1);  // data reference index
  w.zeros(16);
  w.u16(static_cast<std::uint32_t>(t.width));
  w.u16(static_cast<std::uint32_t>(t.height));
  w.u32(0x00480000);
  w.u32(0x00480000);
  w.u32(0);
  w.u16(1);     // frame count
  w.zeros(32);  // compressor name
  w.u16(0x0018);
  w.u16(0xffff);
  auto c = w.begin(hevc ? "hvcC" : "avcC");
  w.bytes(std::span<const std::uint8_t>(t.codecData));
  w.end(c);
  w.end(e);
}

void descriptor(BoxWriter& w, std::uint8_t tag, std::size_t size) {
  w.u8(tag);
  w.u8(static_cast<std::uint32_t>(size));  // every descriptor here is under 128 bytes
}

void audioEntry(BoxWriter& w, const TrackInfo& t) {
  auto cfg = parseAudioConfig(t.codecData);
  int rate = t.sampleRate > 0 ? t.sampleRate : (cfg ? cfg->sampleRate : 48000);
  int channels = t.channels > 0 ? t.channels : (cfg && cfg->channels > 0 ? cfg->channels : 2);
  auto e = w.begin("mp4a");
  w.zeros(6);
  w.u16(1);
  w.zeros(8);
  w.u16(static_cast<std::uint32_t>(channels));
  w.u16(16);
  w.u32(0);
  w.u32(static_cast<std::uint32_t>(std::min(rate, 65535)) << 16);
  auto es = w.beginFull("esds", 0, 0);
  std::size_t asc = std::min<std::size_t>(t.codecData.size(), 100);
  std::size_t decSpecific = 2 + asc;
  std::size_t decConfig = 13 + decSpecific;
  std::size_t sl = 3;
  descriptor(w, 0x03, 3 + 2 + decConfig + sl);
  w.u16(0);  // ES id
  w.u8(0);
  descriptor(w, 0x04, decConfig);
  w.u8(0x40);  // MPEG-4 audio
  w.u8(0x15);  // audio stream
  w.u24(0);
  auto bitrate = static_cast<std::uint32_t>(std::max<std::int64_t>(t.bitrate, 0));
  w.u32(bitrate);
  w.u32(bitrate);
  descriptor(w, 0x05, asc);
  w.bytes(std::span<const std::uint8_t>(t.codecData.data(), asc));
  descriptor(w, 0x06, 1);
  w.u8(0x02);
  w.end(es);
  w.end(e);
}

void stbl(BoxWriter& w, const TrackInfo& t) {
  auto s = w.begin("stbl");
  auto d = w.beginFull("stsd", 0, 0);
  w.u32(1);
  if (isVideo(t.codec))
    visualEntry(w, t);
  else
    audioEntry(w, t);
  w.end(d);
  for (auto type : {"stts", "stsc", "stco"}) {
    auto b = w.beginFull(type, 0, 0);
    w.u32(0);
    w.end(b);
  }
  auto z = w.beginFull("stsz", 0, 0);
  w.u32(0);
  w.u32(0);
  w.end(z);
  w.end(s);
}

void trak(BoxWriter& w, std::uint32_t id, const TrackInfo& t) {
  bool video = isVideo(t.codec);
  auto tr = w.begin("trak");
  tkhd(w, id, t);
  auto md = w.begin("mdia");
  mdhd(w, timescaleOf(t));
  hdlr(w, video);
  auto mi = w.begin("minf");
  if (video) {
    auto v = w.beginFull("vmhd", 0, 1);
    w.zeros(8);
    w.end(v);
  } else {
    auto s = w.beginFull("smhd", 0, 0);
    w.zeros(4);
    w.end(s);
  }
  dinf(w);
  stbl(w, t);
  w.end(mi);
  w.end(md);
  w.end(tr);
}

}  // namespace

std::uint32_t timescaleOf(const TrackInfo& track) {
  if (isVideo(track.codec)) return kVideoTimescale;
  if (track.sampleRate > 0) return static_cast<std::uint32_t>(track.sampleRate);
  auto cfg = parseAudioConfig(track.codecData);
  return cfg && cfg->sampleRate > 0 ? static_cast<std::uint32_t>(cfg->sampleRate) : 48000;
}

std::string writeInit(const std::vector<TrackInfo>& tracks) {
  std::string out;
  BoxWriter w(out);
  auto f = w.begin("ftyp");
  w.fourcc("iso6");
  w.u32(0);
  for (auto brand : {"iso6", "cmfc", "isom", "mp41"}) w.fourcc(brand);
  w.end(f);
  auto moov = w.begin("moov");
  mvhd(w, static_cast<std::uint32_t>(tracks.size() + 1));
  for (std::size_t i = 0; i < tracks.size(); ++i) trak(w, static_cast<std::uint32_t>(i + 1), tracks[i]);
  auto mvex = w.begin("mvex");
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    auto t = w.beginFull("trex", 0, 0);
    w.u32(static_cast<std::uint32_t>(i + 1));
    w.u32(1);  // sample description index
    w.u32(0);
    w.u32(0);
    w.u32(0);
    w.end(t);
  }
  w.end(mvex);
  w.end(moov);
  return out;
}

std::string writeFragment(std::uint32_t sequence, const std::vector<TrackFragment>& tracks) {
  std::size_t payload = 0;
  for (const auto& t : tracks)
    for (const auto& s : t.samples) payload += s.data.size;
  std::string out;
  out.reserve(payload + 256 + 16 * tracks.size() * 8);
  BoxWriter w(out);
  auto moof = w.begin("moof");
  auto mfhd = w.beginFull("mfhd", 0, 0);
  w.u32(sequence);
  w.end(mfhd);
  std::vector<std::size_t> offsetFields;
  for (const auto& t : tracks) {
    if (t.samples.empty()) continue;
    auto traf = w.begin("traf");
    auto tfhd = w.beginFull("tfhd", 0, 0x020000);  // default-base-is-moof
    w.u32(t.trackId);
    w.end(tfhd);
    auto tfdt = w.beginFull("tfdt", 1, 0);
    w.u64(t.baseDecodeTime);
    w.end(tfdt);
    // data offset, duration, size; video adds flags and composition offsets.
    std::uint32_t flags = 0x000001 | 0x000100 | 0x000200 | (t.video ? 0x000400 | 0x000800 : 0);
    auto trun = w.beginFull("trun", 1, flags);
    w.u32(static_cast<std::uint32_t>(t.samples.size()));
    offsetFields.push_back(w.size());
    w.u32(0);
    for (const auto& s : t.samples) {
      w.u32(s.duration);
      w.u32(static_cast<std::uint32_t>(s.data.size));
      if (t.video) {
        w.u32(s.key ? kSampleKey : kSampleNonKey);
        w.u32(static_cast<std::uint32_t>(s.compositionOffset));
      }
    }
    w.end(trun);
    w.end(traf);
  }
  w.end(moof);
  std::size_t dataStart = out.size() + 8;
  std::size_t field = 0;
  for (const auto& t : tracks) {
    if (t.samples.empty()) continue;
    w.patch32(offsetFields[field++], static_cast<std::uint32_t>(dataStart));
    for (const auto& s : t.samples) dataStart += s.data.size;
  }
  auto mdat = w.begin("mdat");
  for (const auto& t : tracks)
    for (const auto& s : t.samples) w.bytes(s.data.view());
  w.end(mdat);
  return out;
}

}  // namespace hub::media::hls
