// media/hls/segmenter.cpp
//
// Part and segment cutting rules (see segmenter.h for the timing model).
#include "media/hls/segmenter.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <iterator>
#include <memory>

namespace hub::media::hls {
namespace {

constexpr std::int64_t kAacFrame = 1024;
constexpr std::int64_t kNoLimit = INT64_MAX;

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
  holeMode_ = false;
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
  holeMode_ = false;
  pendingDiscontinuity_ = true;
  pendingRebase_ = true;
  waitingForKey_ = true;
}

void Segmenter::flush() {
  closePart(true);
  closeSegment();
  holeMode_ = false;
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

  // A hole in the primary video's timestamps (a ladder rung that dropped frames, a video that
  // stalled): the part ends with the last frame before it instead of stretching over it. When
  // the audio went on through the hole (its parts were cut meanwhile, see audioArrived), the
  // frame after the hole is moved back to where the video stopped and shown for the hole's
  // length: both tracks' timelines stay whole and nothing is missing. Otherwise (no audio, or
  // it stopped too) the next part starts at its true media time (renditions stay aligned), a key
  // frame there starts a new segment, and the span without media is listed as a gap after the
  // segment; other frames (the rung's encoder never saw the dropped ones, so they still decode)
  // stay in the open segment.
  if (primary && video && segmentOpen_ && decode - t.lastDecode > gapTicks(t)) {
    std::int64_t videoEnd = hasPrev ? t.lastDecode + estimate(t) : t.decodeEnd;
    std::int64_t decodeUs = toUs(decode, t.timescale), endUs = toUs(videoEnd, t.timescale);
    bool covered = videoEnd >= 0 && audioCovers(toUs(videoEnd + gapTicks(t), t.timescale),
                                                toUs(decode - gapTicks(t), t.timescale));
    // The video before the hole goes out with the audio up to its end; the audio after that
    // goes out in parts of its own: up to this frame, or (the audio stopped too) up to where
    // it came back, which waits for this frame's part.
    holeMode_ = true;
    if (hasPrev) closePart(false, endUs);
    std::int64_t from = std::max(t.decodeEnd, timelineTicks(t));
    std::int64_t run = audioRunUs();
    cutAudio(covered || run <= endUs ? decodeUs : std::min(run, decodeUs));
    if (covered && t.decodeEnd >= 0 && decode > t.decodeEnd) {
      t.held = decode - t.decodeEnd;
    } else {
      if (decode > from) holeSeconds_ += static_cast<double>(decode - from) / t.timescale;
      if (f.keyFrame) closeSegment();
    }
    hasPrev = false;
  }
  if (primary) holeMode_ = false;
  if (primary && video && f.keyFrame) {
    if (t.lastKey >= 0 && decode > t.lastKey) t.gop = decode - t.lastKey;
    t.lastKey = decode;
  }

  // A key frame of the primary track may start the next segment. Audio (every frame a key
  // frame) cuts segments only between parts, so its segments are whole parts.
  if (primary && segmentOpen_ && (video ? f.keyFrame : !hasPrev)) {
    std::int64_t start =
        hasPrev ? decode : std::max(t.decodeEnd >= 0 ? t.decodeEnd : decode, timelineTicks(t));
    double length = static_cast<double>(start - segmentStart_) / t.timescale;
    double half = video ? static_cast<double>(estimate(t)) / t.timescale / 2 : options_.partSeconds / 2;
    // Also when the next key frame (a GOP on) would come too late: after a hole the segment
    // may have started off the GOP's beat.
    double gop = video && t.gop > 0 ? static_cast<double>(t.gop) / t.timescale : 0;
    if (length >= options_.segmentSeconds - half || length + gop > options_.segmentSeconds + half) {
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
    t.samples.back().duration = static_cast<std::uint32_t>(delta + t.held);
    t.held = 0;
    if (t.video && delta <= gapTicks(t)) t.lastDelta = delta;
  } else {
    // The part's first sample continues the timeline when it is close enough to it (or was
    // moved back over a hole to where it ended).
    auto tolerance = std::max<std::int64_t>(2 * estimate(t), t.timescale / 10);
    if (t.decodeEnd >= 0 && std::llabs(decode - t.decodeEnd) <= tolerance) decode = t.decodeEnd;
    t.partBase = decode - t.held;
  }
  if (!t.video && !(hasPrev ? decode - t.lastDecode <= 2 * kAacFrame : decode == t.decodeEnd))
    t.runStart = decode;  // the audio starts, or comes back after a hole of its own
  if (primary && !segmentOpen_) openSegment(decode);
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

  if (primary && video)
    audioLeadUs_ = std::max<std::int64_t>(audioEndUs() - toUs(decode + estimate(t), t.timescale), 0);
  if (primary) {
    double ts = t.timescale;
    double est = static_cast<double>(estimate(t)) / ts;
    double length = static_cast<double>(t.lastDecode - std::max(t.partBase, timelineTicks(t))) / ts + est;
    // A frame moved back over a hole goes out at once: players at the live edge wait for it.
    if (length + est > options_.partSeconds + 0.002 || t.held > 0) closePart(false);
  } else if (!video && state_.front().video) {
    audioArrived(t, f.wallClock);
  }
}

std::int64_t Segmenter::timelineTicks(const Track& t) const {
  return timelineEndUs_ >= 0 ? toTicks(timelineEndUs_, t.timescale) : -1;
}

std::size_t Segmenter::audioIndex() const {
  if (state_.empty() || !state_.front().video) return 0;
  for (std::size_t i = 1; i < state_.size(); ++i)
    if (!state_[i].video) return i;
  return 0;
}

std::int64_t Segmenter::audioEndUs() const {
  if (audioIndex() == 0) return -1;
  const Track& a = state_[audioIndex()];
  std::int64_t end = a.samples.empty() ? a.decodeEnd : a.lastDecode + kAacFrame;
  return end >= 0 ? toUs(end, a.timescale) : -1;
}

bool Segmenter::audioCovers(std::int64_t fromUs, std::int64_t toUsIncl) const {
  return audioRunUs() <= fromUs && audioEndUs() >= toUsIncl;
}

std::int64_t Segmenter::audioRunUs() const {
  if (audioIndex() == 0) return kNoLimit;
  const Track& a = state_[audioIndex()];
  return a.runStart >= 0 ? toUs(a.runStart, a.timescale) : kNoLimit;
}

void Segmenter::openSegment(std::int64_t start) {
  segmentOpen_ = true;
  segmentStart_ = start;
  partStartsSegment_ = true;
  partDiscontinuity_ = pendingDiscontinuity_;
  pendingDiscontinuity_ = false;
}

void Segmenter::audioArrived(Track& a, std::chrono::system_clock::time_point wall) {
  if (!segmentOpen_) return;
  audioWallClock_ = wall;
  audioWallUs_ = toUs(a.lastDecode, a.timescale);
  Track& v = state_.front();
  if (!holeMode_) {
    // The audio ran more than a hole (and a part) further past the video than it usually does
    // (a publisher may send its audio ahead): the video is away. What video there is goes
    // out now, with the audio up to its end.
    std::int64_t videoEnd = v.samples.empty() ? v.decodeEnd : v.lastDecode + estimate(v);
    std::int64_t lead = toTicks(audioEndUs() - audioLeadUs_, v.timescale) - videoEnd;
    if (videoEnd < 0 || lead <= gapTicks(v) + static_cast<std::int64_t>(options_.partSeconds * v.timescale) ||
        !audioCovers(toUs(videoEnd + gapTicks(v), v.timescale), 0))
      return;
    holeMode_ = true;
    if (!v.samples.empty()) closePart(false, toUs(videoEnd, v.timescale));
  }
  cutAudio(kNoLimit);
}

void Segmenter::cutAudio(std::int64_t limitUs) {
  if (audioIndex() == 0) return;
  Track& a = state_[audioIndex()];
  const Track& v = state_.front();
  // The audio is cut into parts of its own (as an audio-only source's: whole AAC frames within
  // the part target) and into segments of the segment target; with a limit, all of it before
  // the limit goes out, else only whole parts.
  auto perPart = std::max<std::size_t>(
      1, static_cast<std::size_t>((options_.partSeconds + 0.002) * a.timescale / kAacFrame));
  while (segmentOpen_) {
    std::size_t n = 0;
    std::int64_t d = a.partBase;
    for (; n < a.samples.size() && n < perPart && toUs(d, a.timescale) < limitUs; ++n)
      d += a.samples[n].duration;
    if (n == 0 || (n < perPart && limitUs == kNoLimit)) return;
    std::int64_t startUs = std::max(timelineEndUs_, toUs(a.partBase, a.timescale));
    double length = static_cast<double>(startUs - toUs(segmentStart_, v.timescale)) / 1e6;
    if (length >= options_.segmentSeconds - options_.partSeconds / 2) {
      closeSegment();
      openSegment(toTicks(startUs, v.timescale));
    }
    closePart(false, n < a.samples.size() ? toUs(d, a.timescale) : kNoLimit);
  }
}

void Segmenter::closePart(bool dropOrphans, std::int64_t untilUs) {
  if (state_.empty()) return;
  bool audioOnly = state_.front().samples.empty();
  if (audioOnly && !((holeMode_ || dropOrphans) && segmentOpen_)) {
    // Only other tracks' frames since the primary's last part: they wait for the next part
    // (or, in a hole or at the end of the timeline, go out on their own).
    if (dropOrphans)
      for (auto& t : state_) {
        dropped_ += t.samples.size();
        t.samples.clear();
      }
    return;
  }
  std::vector<TrackFragment> fragments;
  const Track* cut = nullptr;  // the track whose span the part lists: the primary's, if in it
  std::int64_t cutStart = 0;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    Track& t = state_[i];
    // Other tracks' samples from untilUs on stay for the next part.
    std::size_t n = t.samples.size();
    std::int64_t end = t.partBase;
    if (i > 0 && untilUs != kNoLimit)
      for (n = 0; n < t.samples.size() && toUs(end, t.timescale) < untilUs; ++n) end += t.samples[n].duration;
    if (n == 0) continue;
    if (n == t.samples.size()) {
      t.samples.back().duration = static_cast<std::uint32_t>(estimate(t) + t.held);
      t.held = 0;
      t.decodeEnd = t.lastDecode + estimate(t);
    } else {
      t.decodeEnd = end;
    }
    TrackFragment tf;
    tf.trackId = static_cast<std::uint32_t>(i + 1);
    tf.baseDecodeTime = static_cast<std::uint64_t>(std::max<std::int64_t>(t.partBase, 0));
    tf.video = t.video;
    tf.samples.assign(std::make_move_iterator(t.samples.begin()),
                      std::make_move_iterator(t.samples.begin() + static_cast<std::ptrdiff_t>(n)));
    t.samples.erase(t.samples.begin(), t.samples.begin() + static_cast<std::ptrdiff_t>(n));
    if (!cut) {
      cut = &t;
      cutStart = t.partBase;
    }
    t.partBase = t.decodeEnd;
    fragments.push_back(std::move(tf));
  }
  if (!cut) return;
  // The part lists the time it adds to the timeline: from where the last part ended (a frame
  // moved back over a hole, or audio cut ahead of the video, covers time listed before), or
  // from its start after a gap (listed on its own).
  std::int64_t timeline = timelineTicks(*cut);
  std::int64_t from = timeline >= 0 && cutStart <= timeline + gapTicks(*cut) ? timeline : cutStart;
  CutPart part;
  part.duration = static_cast<double>(std::max<std::int64_t>(cut->decodeEnd - from, 0)) / cut->timescale;
  timelineEndUs_ = std::max(timelineEndUs_, toUs(cut->decodeEnd, cut->timescale));
  if (!audioOnly && cut->video) {
    videoTicks_ += cut->decodeEnd - from;
    videoFrames_ += fragments.front().samples.size();
  }
  part.independent = fragments.front().samples.front().key;
  part.startsSegment = partStartsSegment_;
  part.discontinuity = partDiscontinuity_;
  part.initVersion = initVersion_;
  if (audioOnly) {
    // Dated by the audio: its last frame's ingest time, back by the part's length.
    auto startUs = toUs(from, cut->timescale);
    if (audioWallClock_.time_since_epoch().count() != 0)
      part.wallClock = audioWallClock_ - std::chrono::microseconds(audioWallUs_ - startUs);
    part.lastWallClock = audioWallClock_;
    part.mediaUs = startUs - offsetUs_;
  } else {
    part.wallClock = partHasWallClock_ ? partWallClock_ : std::chrono::system_clock::time_point{};
    part.lastWallClock = partLastWallClock_;
    part.mediaUs = partMediaUs_;
  }
  part.data = std::make_shared<const std::string>(writeFragment(++fragmentSeq_, fragments));
  partStartsSegment_ = false;
  partDiscontinuity_ = false;
  if (!audioOnly) partHasWallClock_ = false;
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
