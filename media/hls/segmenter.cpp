// media/hls/segmenter.cpp
//
// Part and segment cutting rules (see segmenter.h for the timing model).
#include "media/hls/segmenter.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hub::media::hls {
namespace {

constexpr std::int64_t kAacFrame = 1024;

std::int64_t toTicks(std::int64_t us, std::uint32_t timescale) {
  // Rounded to the nearest tick; exact for RTMP's milliseconds at 90 kHz. No overflow for
  // timelines shorter than ~3 years at 96 kHz.
  std::int64_t v = us * static_cast<std::int64_t>(timescale);
  return (v + (v >= 0 ? 500000 : -500000)) / 1000000;
}

std::int64_t toUs(std::int64_t ticks, std::uint32_t timescale) {
  return ticks * 1000000 / static_cast<std::int64_t>(timescale);
}

bool sameTracks(const std::vector<TrackInfo>& a, const std::vector<TrackInfo>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].codec != b[i].codec || a[i].codecData != b[i].codecData || a[i].width != b[i].width ||
        a[i].height != b[i].height)
      return false;
  return true;
}

}  // namespace

Segmenter::Segmenter(const LiveOptions& options, SegmenterOutput& out) : options_(options), out_(out) {}

void Segmenter::tracks(const std::vector<TrackInfo>& tracks) {
  // The primary track first: video when there is one.
  std::vector<TrackInfo> ordered;
  for (const auto& t : tracks)
    if (isVideo(t.codec) &&
        std::none_of(ordered.begin(), ordered.end(), [](auto& o) { return isVideo(o.codec); }))
      ordered.push_back(t);
  for (const auto& t : tracks)
    if (!isVideo(t.codec) &&
        std::all_of(ordered.begin(), ordered.end(), [](auto& o) { return isVideo(o.codec); }))
      ordered.push_back(t);
  if (initVersion_ >= 0 && sameTracks(ordered, tracks_)) return;
  closePart(true);
  closeSegment();
  std::vector<std::int64_t> endsUs;
  for (const auto& s : state_)
    if (s.decodeEnd >= 0) endsUs.push_back(toUs(s.decodeEnd, s.timescale));
  tracks_ = ordered;
  state_.clear();
  for (const auto& t : tracks_) {
    Track s;
    s.info = t;
    s.timescale = timescaleOf(t);
    s.video = isVideo(t.codec);
    state_.push_back(std::move(s));
  }
  // Carry the timeline over: the rebase after the new init continues from the old end.
  if (!endsUs.empty()) {
    auto end = *std::max_element(endsUs.begin(), endsUs.end());
    for (auto& s : state_) s.decodeEnd = toTicks(end, s.timescale);
  }
  if (initVersion_ >= 0) pendingDiscontinuity_ = true;
  ++initVersion_;
  waitingForKey_ = true;
  pendingRebase_ = true;
  out_.initChanged(initVersion_, std::make_shared<const std::string>(writeInit(tracks_)), tracks_);
}

void Segmenter::discontinuity() {
  closePart(true);
  closeSegment();
  pendingDiscontinuity_ = true;
  pendingRebase_ = true;
  waitingForKey_ = true;
}

void Segmenter::flush() {
  closePart(true);
  closeSegment();
}

double Segmenter::measuredFrameRate() const {
  if (videoFrames_ < 2 || videoTicks_ <= 0) return 0;
  return static_cast<double>(videoFrames_) * 90000.0 / static_cast<double>(videoTicks_);
}

std::int64_t Segmenter::estimate(const Track& t) const {
  if (!t.video) return kAacFrame;
  if (t.lastDelta > 0) return t.lastDelta;
  if (t.info.frameRate > 0) return static_cast<std::int64_t>(90000.0 / t.info.frameRate + 0.5);
  return 3000;
}

std::int64_t Segmenter::gapTicks(const Track& t) const {
  auto part = static_cast<std::int64_t>(options_.partSeconds * t.timescale);
  return std::max(part, 4 * estimate(t));
}

void Segmenter::rebase(const Frame& f) {
  std::int64_t endUs = -1;
  for (const auto& s : state_)
    if (s.decodeEnd >= 0) endUs = std::max(endUs, toUs(s.decodeEnd, s.timescale));
  offsetUs_ = endUs >= 0 ? endUs - f.dtsUs : 0;
  pendingRebase_ = false;
}

void Segmenter::frame(const Frame& f) {
  bool video = isVideo(f.codec);
  auto it =
      std::find_if(state_.begin(), state_.end(), [&](const Track& t) { return t.info.codec == f.codec; });
  if (it == state_.end()) {
    ++dropped_;
    return;
  }
  Track& t = *it;
  bool primary = it == state_.begin();
  if (waitingForKey_) {
    if (!primary || (video && !f.keyFrame)) {
      ++dropped_;
      return;
    }
    waitingForKey_ = false;
    if (pendingRebase_) rebase(f);
  }
  std::int64_t decode = toTicks(f.dtsUs + offsetUs_, t.timescale);
  std::int64_t pts = toTicks(f.ptsUs + offsetUs_, t.timescale);
  bool hasPrev = !t.samples.empty();
  if (hasPrev && decode <= t.lastDecode) decode = t.lastDecode + 1;  // never backwards

  // A hole in the primary video's timestamps (a ladder rung that dropped frames): the part
  // ends with the last frame before it instead of stretching over it, and the next part starts
  // at its true media time (renditions stay aligned). A key frame after the hole also starts a
  // new segment; other frames (the rung's encoder never saw the dropped ones, so they still
  // decode) stay in the open segment, which then lists only the video it holds.
  if (primary && video && segmentOpen_ && decode - t.lastDecode > gapTicks(t)) {
    // Audio that arrived in the hole is not dropped: when no video waits with it (the hole
    // began right after a part closed), it goes into the next part on its own timeline.
    closePart(false);
    // The closed part ended at decodeEnd; this frame keeps its media time. The segment's
    // EXTINF counts only its parts, so the hole is reported after it (a gap segment).
    if (decode > t.decodeEnd) holeSeconds_ += static_cast<double>(decode - t.decodeEnd) / t.timescale;
    if (f.keyFrame) closeSegment();
    hasPrev = false;
  }

  // A key frame of the primary track may start the next segment. Audio (every frame a key
  // frame) cuts segments only between parts, so its segments are whole parts.
  if (primary && segmentOpen_ && (video ? f.keyFrame : !hasPrev)) {
    std::int64_t start = hasPrev ? decode : (t.decodeEnd >= 0 ? t.decodeEnd : decode);
    double length = static_cast<double>(start - segmentStart_) / t.timescale;
    double half = video ? static_cast<double>(estimate(t)) / t.timescale / 2 : options_.partSeconds / 2;
    if (length >= options_.segmentSeconds - half) {
      closePart(false);
      closeSegment();
      hasPrev = false;
    }
  }

  if (hasPrev) {
    auto delta = decode - t.lastDecode;
    if (!t.video && std::llabs(delta - kAacFrame) <= kAacFrame / 2) {
      delta = kAacFrame;
      decode = t.lastDecode + kAacFrame;
    }
    t.samples.back().duration = static_cast<std::uint32_t>(delta);
    if (t.video) t.lastDelta = delta;
  } else {
    // The part's first sample continues the timeline when it is close enough to it.
    auto tolerance = std::max<std::int64_t>(2 * estimate(t), t.timescale / 10);
    if (t.decodeEnd >= 0 && std::llabs(decode - t.decodeEnd) <= tolerance) decode = t.decodeEnd;
    t.partBase = decode;
  }
  if (primary && !segmentOpen_) {
    segmentOpen_ = true;
    segmentStart_ = decode;
    partStartsSegment_ = true;
    partDiscontinuity_ = pendingDiscontinuity_;
    pendingDiscontinuity_ = false;
  }
  if (!segmentOpen_) {
    ++dropped_;
    return;
  }
  if (primary && !hasPrev) {
    partWallClock_ = f.wallClock;
    partHasWallClock_ = true;
    partMediaUs_ = f.ptsUs;
  }
  if (primary) partLastWallClock_ = f.wallClock;
  Sample s;
  s.duration = static_cast<std::uint32_t>(estimate(t));
  s.key = f.keyFrame || !video;
  s.compositionOffset = static_cast<std::int32_t>(pts - decode);
  s.data = f.data;
  t.samples.push_back(std::move(s));
  t.lastDecode = decode;

  if (primary) {
    double ts = t.timescale;
    double est = static_cast<double>(estimate(t)) / ts;
    double length = static_cast<double>(t.lastDecode - t.partBase) / ts + est;
    if (length + est > options_.partSeconds + 0.002) closePart(false);
  }
}

void Segmenter::closePart(bool dropOrphans) {
  if (state_.empty()) return;
  if (state_.front().samples.empty()) {
    // Only other tracks' frames since the primary's last part: they wait for the next part,
    // unless the timeline ends here.
    if (dropOrphans)
      for (auto& t : state_) {
        dropped_ += t.samples.size();
        t.samples.clear();
      }
    return;
  }
  std::vector<TrackFragment> fragments;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    Track& t = state_[i];
    if (t.samples.empty()) continue;
    t.samples.back().duration = static_cast<std::uint32_t>(estimate(t));
    t.decodeEnd = t.lastDecode + estimate(t);
    TrackFragment tf;
    tf.trackId = static_cast<std::uint32_t>(i + 1);
    tf.baseDecodeTime = static_cast<std::uint64_t>(std::max<std::int64_t>(t.partBase, 0));
    tf.video = t.video;
    tf.samples = std::move(t.samples);
    t.samples.clear();
    fragments.push_back(std::move(tf));
  }
  const Track& p = state_.front();
  CutPart part;
  part.duration = static_cast<double>(p.decodeEnd - p.partBase) / p.timescale;
  if (p.video) {
    videoTicks_ += p.decodeEnd - p.partBase;
    videoFrames_ += fragments.front().samples.size();
  }
  part.independent = fragments.front().samples.front().key;
  part.startsSegment = partStartsSegment_;
  part.discontinuity = partDiscontinuity_;
  part.initVersion = initVersion_;
  part.wallClock = partHasWallClock_ ? partWallClock_ : std::chrono::system_clock::time_point{};
  part.lastWallClock = partLastWallClock_;
  part.mediaUs = partMediaUs_;
  part.data = std::make_shared<const std::string>(writeFragment(++fragmentSeq_, fragments));
  partStartsSegment_ = false;
  partDiscontinuity_ = false;
  partHasWallClock_ = false;
  out_.partCut(std::move(part));
}

void Segmenter::closeSegment() {
  if (!segmentOpen_) return;
  segmentOpen_ = false;
  out_.segmentClosed();
  if (holeSeconds_ > 0) out_.gap(holeSeconds_);
  holeSeconds_ = 0;
}

}  // namespace hub::media::hls
