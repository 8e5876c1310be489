// media/rtmp/frame_assembler.cpp
#include "media/rtmp/frame_assembler.h"

#include <algorithm>

#include "media/rtmp/flv_tags.h"
#include "media/rtmp/sps_parser.h"

namespace hub::media::rtmp {
namespace {

constexpr std::int64_t kWrap = std::int64_t{1} << 32;

double numberOr(const Amf0Value& object, const char* key, double fallback = 0) {
  const Amf0Value* v = object.get(key);
  return v && v->isNumber() ? v->asNumber() : fallback;
}

}  // namespace

void FrameAssembler::metadata(const Amf0Value& object) {
  if (!object.isObject()) return;
  // A field that is present says the track exists; an encoder sending only audio leaves the
  // video fields out (ffmpeg -vn) or sets videocodecid to 0 (some hardware encoders).
  if (!announcedOnce_) {
    const Amf0Value* v = object.get("videocodecid");
    const Amf0Value* a = object.get("audiocodecid");
    if (v || a) {
      expectVideo_ = v && !(v->isNumber() && v->asNumber() == 0) && !v->isNull();
      expectAudio_ = a && !(a->isNumber() && a->asNumber() == 0) && !a->isNull();
    }
  }
  metaWidth_ = static_cast<int>(numberOr(object, "width"));
  metaHeight_ = static_cast<int>(numberOr(object, "height"));
  metaFrameRate_ = numberOr(object, "framerate", numberOr(object, "fps"));
  metaVideoBitrate_ = static_cast<std::int64_t>(numberOr(object, "videodatarate") * 1000);
  metaAudioBitrate_ = static_cast<std::int64_t>(numberOr(object, "audiodatarate") * 1000);
}

std::int64_t FrameAssembler::unwrap(TrackState& t, std::uint32_t raw) {
  if (t.lastDtsUs) {
    if (raw < t.lastRaw && t.lastRaw - raw > 0x80000000u) ++t.wraps;
    if (raw > t.lastRaw && raw - t.lastRaw > 0x80000000u && t.wraps > 0) --t.wraps;
  }
  t.lastRaw = raw;
  return (t.wraps * kWrap + raw) * 1000;
}

std::int64_t FrameAssembler::monotonic(TrackState& t, std::int64_t dtsUs) {
  if (t.lastDtsUs && dtsUs <= *t.lastDtsUs) {
    if (dtsUs < *t.lastDtsUs) ++stats_.timestampsBackwards;
    dtsUs = *t.lastDtsUs + 1000;
  }
  t.lastDtsUs = dtsUs;
  return dtsUs;
}

Payload FrameAssembler::nalPayload(const std::shared_ptr<const Bytes>& owner, ByteView data, int lengthSize) {
  if (lengthSize == 4)
    return Payload{owner, static_cast<std::size_t>(data.data() - owner->data()), data.size()};
  // Rewrite 1-3 byte length fields as 4-byte ones, as fMP4 and the announced codec data expect.
  auto out = std::make_shared<Bytes>();
  std::size_t pos = 0;
  while (pos + static_cast<std::size_t>(lengthSize) <= data.size()) {
    std::size_t len = 0;
    for (int i = 0; i < lengthSize; ++i) len = len << 8 | data[pos + static_cast<std::size_t>(i)];
    pos += static_cast<std::size_t>(lengthSize);
    len = std::min(len, data.size() - pos);
    putU32(*out, static_cast<std::uint32_t>(len));
    out->insert(out->end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
                data.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  }
  std::size_t size = out->size();
  return Payload{std::move(out), 0, size};
}

Status FrameAssembler::video(std::uint32_t timestamp, Bytes payload,
                             std::chrono::system_clock::time_point wall) {
  auto owner = std::make_shared<const Bytes>(std::move(payload));
  auto tag = parseVideoTag(*owner);
  if (!tag) return tag.error();
  const Codec codec = tag->codec == VideoCodec::Hevc ? Codec::Hevc : Codec::H264;
  if (tag->packet == VideoPacket::EndOfSequence) return {};
  if (tag->packet == VideoPacket::SequenceHeader) {
    TrackInfo info;
    info.codec = codec;
    info.codecData.assign(tag->data.begin(), tag->data.end());
    // Length fields: avcC byte 4, hvcC byte 21, low two bits = size - 1. Announce 4.
    std::size_t lengthAt = codec == Codec::Hevc ? 21 : 4;
    video_.nalLengthSize = (info.codecData[lengthAt] & 3) + 1;
    info.codecData[lengthAt] |= 3;
    auto size =
        codec == Codec::Hevc ? pictureSizeFromHvcC(info.codecData) : pictureSizeFromAvcC(info.codecData);
    info.width = size ? size->width : metaWidth_;
    info.height = size ? size->height : metaHeight_;
    info.frameRate = metaFrameRate_;
    info.bitrate = metaVideoBitrate_;
    bool changed = !video_.info || video_.info->codecData != info.codecData || video_.info->codec != codec;
    video_.info = std::move(info);
    if (changed && announcedOnce_) announce();
    return {};
  }
  std::int64_t dts = unwrap(video_, timestamp);
  if (!video_.info || video_.info->codec != codec || tag->data.empty()) {
    ++stats_.droppedFrames;
    return {};
  }
  Frame f;
  f.codec = codec;
  f.dtsUs = monotonic(video_, dts);
  f.ptsUs = f.dtsUs + std::int64_t{tag->compositionTime} * 1000;
  f.keyFrame = tag->keyFrame;
  f.data = nalPayload(owner, tag->data, video_.nalLengthSize);
  f.wallClock = wall;
  deliver(std::move(f));
  return {};
}

Status FrameAssembler::audio(std::uint32_t timestamp, Bytes payload,
                             std::chrono::system_clock::time_point wall) {
  auto owner = std::make_shared<const Bytes>(std::move(payload));
  auto tag = parseAudioTag(*owner);
  if (!tag) return tag.error();
  const Codec codec = tag->format == AudioFormat::Mp3 ? Codec::Mp3 : Codec::Aac;
  if (codec == Codec::Mp3) {
    // No sequence header: each frame's header says what the track is.
    const auto& c = tag->config;
    if (!audio_.info || audio_.info->codec != codec ||
        audio_.info->sampleRate != static_cast<int>(c.sampleRate) || audio_.info->channels != c.channels) {
      TrackInfo info;
      info.codec = codec;
      info.sampleRate = static_cast<int>(c.sampleRate);
      info.channels = c.channels;
      info.bitrate = metaAudioBitrate_;
      audio_.info = std::move(info);
      if (announcedOnce_) announce();
    }
  } else if (tag->packet == AudioTag::Packet::SequenceHeader) {
    TrackInfo info;
    info.codec = Codec::Aac;
    info.codecData.assign(tag->data.begin(), tag->data.end());
    info.sampleRate = static_cast<int>(tag->config.sampleRate);
    info.channels = tag->config.channels;
    info.bitrate = metaAudioBitrate_;
    bool changed = !audio_.info || audio_.info->codec != codec || audio_.info->codecData != info.codecData;
    audio_.info = std::move(info);
    if (changed && announcedOnce_) announce();
    return {};
  }
  std::int64_t dts = unwrap(audio_, timestamp);
  if (!audio_.info || audio_.info->codec != codec || tag->data.empty()) {
    ++stats_.droppedFrames;
    return {};
  }
  Frame f;
  f.codec = codec;
  f.dtsUs = f.ptsUs = monotonic(audio_, dts);
  f.keyFrame = true;
  f.data = Payload{owner, static_cast<std::size_t>(tag->data.data() - owner->data()), tag->data.size()};
  f.wallClock = wall;
  deliver(std::move(f));
  return {};
}

void FrameAssembler::announce() {
  announced_.clear();
  if (video_.info) announced_.push_back(*video_.info);
  if (audio_.info) announced_.push_back(*audio_.info);
  announcedOnce_ = true;
  sink_->tracks(announced_);
}

void FrameAssembler::maybeAnnounce(std::int64_t dtsUs) {
  if (!firstPendingDtsUs_) firstPendingDtsUs_ = dtsUs;
  bool complete = (video_.info || !expectVideo_) && (audio_.info || !expectAudio_);
  bool waitedEnough = dtsUs - *firstPendingDtsUs_ >= kTrackWaitUs || pending_.size() >= kMaxPendingFrames;
  if (complete || waitedEnough) flush();
}

void FrameAssembler::flush() {
  if (announcedOnce_ || (!video_.info && !audio_.info)) return;
  announce();
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& f : pending) {
    bool known = std::any_of(announced_.begin(), announced_.end(),
                             [&](const TrackInfo& t) { return t.codec == f.codec; });
    if (!known) {
      ++stats_.droppedFrames;
      continue;
    }
    (isVideo(f.codec) ? stats_.videoFrames : stats_.audioFrames)++;
    sink_->frame(f);
  }
}

void FrameAssembler::deliver(Frame frame) {
  if (!announcedOnce_) {
    std::int64_t dts = frame.dtsUs;
    pending_.push_back(std::move(frame));
    maybeAnnounce(dts);
    return;
  }
  bool known = std::any_of(announced_.begin(), announced_.end(),
                           [&](const TrackInfo& t) { return t.codec == frame.codec; });
  if (!known) {
    // A track that came after the others were announced: announce again, with it.
    announce();
  }
  (isVideo(frame.codec) ? stats_.videoFrames : stats_.audioFrames)++;
  sink_->frame(frame);
}

}  // namespace hub::media::rtmp
