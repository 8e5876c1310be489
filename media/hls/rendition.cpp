// media/hls/rendition.cpp
//
// The segment store, blocking reload (RFC 8216bis 6.2.5.2) and media file serving of one
// rendition. Writers hold the lock only to cut and store; responses to parked requests are
// built under it (the playlist text is rendered once per change and shared) and sent after.
#include "media/hls/rendition.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/log/log.h"
#include "media/hls/codec_string.h"
#include "media/hls/listener_set.h"

namespace hub::media::hls {
namespace {

auto logger() { return log::get("media.hls"); }

constexpr const char* kPlaylistType = "application/vnd.apple.mpegurl";
constexpr const char* kImmutable = "public, max-age=31536000, immutable";

template <class T>
bool parseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

http::Response plainError(int status, std::string_view code, std::string_view message) {
  auto r = http::Response::error(status, code, message);
  r.header("cache-control", "no-store");
  r.header("access-control-allow-origin", "*");
  return r;
}

http::Response sharedBody(SharedBytes data, std::string_view type, std::string_view cache) {
  http::Response r;
  r.length = data->size();
  r.shared = std::move(data);
  r.header("content-type", std::string(type));
  r.header("cache-control", std::string(cache));
  r.header("access-control-allow-origin", "*");
  return r;
}

}  // namespace

Rendition::Rendition(std::string stream, RenditionInfo info, std::string sessionTag,
                     const LiveOptions& options, const Clock& clock, ListenerSet& listeners,
                     HlsMetrics& metrics, LiveStream& owner)
    : stream_(std::move(stream)),
      id_(info.id),
      tag_(std::move(sessionTag)),
      options_(options),
      clock_(clock),
      listeners_(listeners),
      metrics_(metrics),
      owner_(owner),
      info_(std::move(info)),
      segmenter_(options_, *this) {
  epoch_ = owner_.epoch();
}

Rendition::~Rendition() {
  std::lock_guard lock(mu_);
  metrics_.parked.dec(static_cast<double>(waiters_.size()));
}

void Rendition::setInfo(const RenditionInfo& info) {
  std::lock_guard lock(mu_);
  info_ = info;
  info_.id = id_;
}

// ---- writer side -------------------------------------------------------------------------

void Rendition::tracks(const std::vector<TrackInfo>& tracks) {
  Delivery out;
  std::vector<SegmentEvent> events;
  {
    std::lock_guard lock(mu_);
    segmenter_.tracks(tracks);
    afterWrite(out, events);
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
  for (auto& e : events) listeners_.segment(e);
}

void Rendition::frame(const Frame& frame) {
  Delivery out;
  std::vector<SegmentEvent> events;
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    auto dropped = segmenter_.droppedFrames();
    auto changes = localChanges_;
    segmenter_.frame(frame);
    if (segmenter_.droppedFrames() != dropped) metrics_.droppedFrames.inc();
    if (localChanges_ == changes) return;  // most frames: nothing new to tell anyone
    afterWrite(out, events);
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
  for (auto& e : events) listeners_.segment(e);
  owner_.renditionChanged();  // parked master requests may wait for this rendition
}

void Rendition::discontinuity() {
  Delivery out;
  std::vector<SegmentEvent> events;
  {
    std::lock_guard lock(mu_);
    epoch_ = owner_.epoch();
    segmenter_.discontinuity();
    afterWrite(out, events);
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
  for (auto& e : events) listeners_.segment(e);
}

void Rendition::end() {
  Delivery out;
  std::vector<SegmentEvent> events;
  {
    std::lock_guard lock(mu_);
    segmenter_.flush();
    afterWrite(out, events);
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
  for (auto& e : events) listeners_.segment(e);
}

void Rendition::finish() {
  Delivery out;
  std::vector<SegmentEvent> events;
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    segmenter_.flush();
    ended_ = true;
    owner_.changed();
    afterWrite(out, events);
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
  for (auto& e : events) listeners_.segment(e);
}

void Rendition::initChanged(int version, SharedBytes init, const std::vector<TrackInfo>& tracks) {
  inits_[version] = std::move(init);
  tracks_ = tracks;
  ++localChanges_;
  std::string codecs;
  for (const auto& t : tracks) codecs += (codecs.empty() ? "" : ",") + codecString(t);
  logger()->info("[stream={} rendition={}] init {}: {}", stream_, id_, version, codecs);
}

void Rendition::partCut(CutPart part) {
  if (part.startsSegment || !open_) {
    open_.emplace();
    open_->msn = nextMsn_++;
    open_->discontinuity = part.discontinuity;
    open_->initVersion = part.initVersion;
    // Every rendition of the stream dates the same media time alike (one anchor per stream).
    open_->programDateTime = owner_.programDateTime(epoch_, part.mediaUs, part.wallClock);
  }
  if (part.lastWallClock.time_since_epoch().count() != 0)
    metrics_.partReady.observe(std::chrono::duration<double>(clock_.wall() - part.lastWallClock).count());
  open_->parts.push_back(std::move(part));
  metrics_.parts.inc();
  lastMsn_.store(open_->msn, std::memory_order_release);
  lastPart_.store(static_cast<int>(open_->parts.size()) - 1, std::memory_order_release);
  ++localChanges_;
  owner_.changed();
}

void Rendition::segmentClosed() {
  if (!open_) return;
  StoredSegment s = std::move(*open_);
  open_.reset();
  std::size_t bytes = 0;
  for (const auto& p : s.parts) {
    bytes += p.data->size();
    s.duration += p.duration;
  }
  std::string all;
  all.reserve(bytes);
  for (const auto& p : s.parts) all += *p.data;
  s.data = std::make_shared<const std::string>(std::move(all));
  maxSegmentSeconds_ = std::max(maxSegmentSeconds_, static_cast<int>(std::lround(s.duration)));
  ++segmentsCut_;
  metrics_.segments.inc();

  SegmentEvent e;
  e.stream = stream_;
  e.rendition = info_;
  e.init = inits_[s.initVersion];
  e.data = s.data;
  e.sequence = s.msn;
  e.durationSeconds = s.duration;
  e.discontinuity = s.discontinuity;
  e.programDateTime = s.programDateTime;
  pendingEvents_.push_back(std::move(e));

  segments_.push_back(std::move(s));
  while (static_cast<int>(segments_.size()) > std::max(options_.windowSegments, 1)) {
    if (segments_.front().discontinuity) ++discontinuitySequence_;
    segments_.pop_front();
  }
  // Init segments no listed segment uses any more.
  int oldest = segments_.front().initVersion;
  for (auto it = inits_.begin(); it != inits_.end() && it->first < oldest && std::next(it) != inits_.end();)
    it = inits_.erase(it);
  ++localChanges_;
  owner_.changed();
}

void Rendition::gap(double seconds) {
  // Gap segments no longer than the target, so TARGETDURATION holds; never fetched (404).
  int initVersion = segments_.empty() ? 0 : segments_.back().initVersion;
  std::chrono::system_clock::time_point date{};
  if (!segments_.empty() && segments_.back().programDateTime.time_since_epoch().count() != 0)
    date = segments_.back().programDateTime + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                                  std::chrono::duration<double>(segments_.back().duration));
  int pieces = std::max(1, static_cast<int>(std::ceil(seconds / options_.segmentSeconds - 1e-9)));
  const double partTarget = advertisedPartTarget(options_);
  logger()->info("[stream={} rendition={}] {:.3f} s without media: {} gap segment(s) from {}", stream_, id_,
                 seconds, pieces, nextMsn_);
  metrics_.gapSegments.inc(pieces);
  for (int i = 0; i < pieces; ++i) {
    StoredSegment s;
    s.msn = nextMsn_++;
    s.duration = seconds / pieces;
    s.initVersion = initVersion;
    s.programDateTime = date;
    s.gap = true;
    // Parts without data (GAP=YES), no longer than the part target, so a player following
    // parts at the live edge sees the hole's timeline part by part as well.
    const int parts = std::max(1, static_cast<int>(std::ceil(s.duration / partTarget - 1e-9)));
    for (int k = 0; k < parts; ++k) {
      CutPart part;
      part.duration = s.duration / parts;
      part.startsSegment = k == 0;
      part.initVersion = initVersion;
      s.parts.push_back(std::move(part));
    }
    // The recorder lists it too, so the replay's timeline matches its media as the live one does.
    SegmentEvent e;
    e.stream = stream_;
    e.rendition = info_;
    e.init = inits_[initVersion];
    e.sequence = s.msn;
    e.durationSeconds = s.duration;
    e.gap = true;
    e.programDateTime = date;
    pendingEvents_.push_back(std::move(e));
    if (date.time_since_epoch().count() != 0)
      date += std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(s.duration));
    segments_.push_back(std::move(s));
  }
  lastMsn_.store(segments_.back().msn, std::memory_order_release);
  lastPart_.store(static_cast<int>(segments_.back().parts.size()) - 1, std::memory_order_release);
  while (static_cast<int>(segments_.size()) > std::max(options_.windowSegments, 1)) {
    if (segments_.front().discontinuity) ++discontinuitySequence_;
    segments_.pop_front();
  }
  ++localChanges_;
  owner_.changed();
}

void Rendition::afterWrite(Delivery& out, std::vector<SegmentEvent>& events) {
  wake(out);
  events = std::move(pendingEvents_);
  pendingEvents_.clear();
}

// ---- reader side -------------------------------------------------------------------------

int Rendition::targetDuration() const {
  return std::max({1, static_cast<int>(std::lround(options_.segmentSeconds)), maxSegmentSeconds_});
}

std::string Rendition::uri(std::int64_t msn, int part) const {
  std::string u = tag_ + "-" + std::to_string(msn);
  if (part >= 0) u += "." + std::to_string(part);
  return u + ".m4s";
}

std::string Rendition::initUri(int version) const {
  return tag_ + "-init" + std::to_string(version) + ".mp4";
}

const CutPart* Rendition::findPart(std::int64_t msn, int part) const {
  const StoredSegment* s = nullptr;
  if (open_ && open_->msn == msn) {
    s = &*open_;
  } else if (!segments_.empty() && msn >= segments_.front().msn && msn <= segments_.back().msn) {
    s = &segments_[static_cast<std::size_t>(msn - segments_.front().msn)];
  }
  if (!s || part < 0 || part >= static_cast<int>(s->parts.size())) return nullptr;
  return &s->parts[static_cast<std::size_t>(part)];
}

bool Rendition::partMayCome(std::int64_t msn, int part) const {
  if (ended_) return false;
  std::int64_t nextMsn = open_ ? open_->msn : nextMsn_;
  int nextPart = open_ ? static_cast<int>(open_->parts.size()) : 0;
  if (msn == nextMsn) return part >= nextPart && part <= nextPart + 3;
  return msn == nextMsn + 1 && part <= 3;
}

bool Rendition::playlistReady(std::int64_t msn, int part) const {
  if (ended_) return true;
  std::int64_t lastComplete = segments_.empty() ? -1 : segments_.back().msn;
  if (part < 0) return lastComplete >= msn;
  if (msn <= lastComplete && !segments_.empty() && msn >= segments_.front().msn) {
    const auto& s = segments_[static_cast<std::size_t>(msn - segments_.front().msn)];
    if (part >= static_cast<int>(s.parts.size())) {
      ++msn;  // past the segment's last part: the next segment's first
      part = 0;
    }
  }
  std::int64_t haveMsn;
  int havePart;
  if (open_ && !open_->parts.empty()) {
    haveMsn = open_->msn;
    havePart = static_cast<int>(open_->parts.size()) - 1;
  } else if (!segments_.empty()) {
    haveMsn = segments_.back().msn;
    havePart = static_cast<int>(segments_.back().parts.size()) - 1;
  } else {
    return false;
  }
  return haveMsn > msn || (haveMsn == msn && havePart >= part);
}

SharedBytes Rendition::playlistText(bool skip) {
  auto version = owner_.changes();
  if (version != cacheVersion_) {
    cacheVersion_ = version;
    cachePlain_.reset();
    cacheSkip_.reset();
  }
  SharedBytes& slot = skip ? cacheSkip_ : cachePlain_;
  if (slot) return slot;
  MediaPlaylist p;
  p.targetDuration = targetDuration();
  p.partTarget = advertisedPartTarget(options_);
  p.discontinuitySequence = discontinuitySequence_;
  p.ended = ended_;
  auto add = [&](const StoredSegment& s, bool complete) {
    PlaylistSegment ps;
    ps.msn = s.msn;
    ps.duration = s.duration;
    ps.discontinuity = s.discontinuity;
    ps.mapUri = initUri(s.initVersion);
    ps.programDateTime = s.programDateTime;
    ps.uri = uri(s.msn, -1);
    ps.complete = complete;
    ps.gap = s.gap;
    for (std::size_t i = 0; i < s.parts.size(); ++i)
      ps.parts.push_back(
          {s.parts[i].duration, s.parts[i].independent, !s.parts[i].data, uri(s.msn, static_cast<int>(i))});
    p.segments.push_back(std::move(ps));
  };
  for (const auto& s : segments_) add(s, true);
  if (open_ && !open_->parts.empty()) add(*open_, false);
  if (!ended_) {
    p.preloadHintUri = open_ ? uri(open_->msn, static_cast<int>(open_->parts.size())) : uri(nextMsn_, 0);
    for (auto* r : owner_.renditions()) {
      if (r == this || r->lastMsn() < 0) continue;
      p.reports.push_back({"../" + r->id() + "/index.m3u8", r->lastMsn(), r->lastPart()});
    }
  }
  slot = std::make_shared<const std::string>(writeMediaPlaylist(p, skip));
  return slot;
}

http::Response Rendition::playlistResponse(bool skip, bool blocking) {
  // A blocking response names one future state of the playlist: a CDN may keep it for a
  // while and collapse identical requests; a plain reload must stay fresh.
  return sharedBody(playlistText(skip), kPlaylistType,
                    ended_     ? "public, max-age=2"
                    : blocking ? "public, max-age=" + std::to_string(6 * targetDuration())
                               : "no-cache");
}

http::Response Rendition::partResponse(const CutPart& part) const {
  if (!part.data) return plainError(404, "hls.gap", "no media for that part (GAP=YES)");
  return sharedBody(part.data, "video/iso.segment", kImmutable);
}

void Rendition::wake(Delivery& out) {
  if (waiters_.empty()) return;
  std::size_t kept = 0;
  for (auto& w : waiters_) {
    if (w.playlist) {
      if (playlistReady(w.msn, w.part)) {
        out.emplace_back(w.responder, playlistResponse(w.skip, true));
        continue;
      }
    } else if (const auto* part = findPart(w.msn, w.part)) {
      out.emplace_back(w.responder, partResponse(*part));
      continue;
    } else if (!partMayCome(w.msn, w.part)) {
      out.emplace_back(w.responder, plainError(404, "hls.no_such_part", "that part was never cut"));
      continue;
    }
    waiters_[kept++] = std::move(w);
  }
  metrics_.parked.dec(static_cast<double>(waiters_.size() - kept));
  waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(kept), waiters_.end());
}

void Rendition::tick(Clock::Steady now) {
  Delivery out;
  {
    std::lock_guard lock(mu_);
    std::size_t kept = 0;
    for (auto& w : waiters_) {
      if (w.deadline <= now) {
        metrics_.blockTimeouts.inc();
        auto r = plainError(503, "hls.block_timeout", "the requested part did not appear in time");
        r.header("retry-after", "1");
        out.emplace_back(w.responder, std::move(r));
        continue;
      }
      waiters_[kept++] = std::move(w);
    }
    metrics_.parked.dec(static_cast<double>(waiters_.size() - kept));
    waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(kept), waiters_.end());
  }
  for (auto& [r, resp] : out) r.send(std::move(resp));
}

void Rendition::servePlaylist(const http::Request& request, http::Responder responder) {
  metrics_.requests.inc();
  std::int64_t msn = -1;
  int part = -1;
  auto msnText = request.queryParam("_HLS_msn");
  auto partText = request.queryParam("_HLS_part");
  auto skipText = request.queryParam("_HLS_skip");
  bool skip = skipText && (*skipText == "YES" || *skipText == "v2");
  if ((msnText && !parseNumber(*msnText, msn)) || (partText && (!msnText || !parseNumber(*partText, part)))) {
    metrics_.badRequests.inc();
    logger()->debug("[stream={} rendition={} peer={}] bad delivery directives", stream_, id_, request.peer);
    responder.send(
        plainError(400, "hls.bad_directive", "_HLS_msn must be a number; _HLS_part needs _HLS_msn"));
    return;
  }
  http::Response now;
  {
    std::lock_guard lock(mu_);
    if (!msnText || ended_) {
      now = playlistResponse(skip, false);
    } else {
      std::int64_t lastListed =
          open_ && !open_->parts.empty() ? open_->msn : (segments_.empty() ? -1 : segments_.back().msn);
      if (msn > lastListed + 2) {
        metrics_.badRequests.inc();
        now = plainError(400, "hls.msn_too_far", "_HLS_msn is more than two segments ahead");
      } else if (playlistReady(msn, part)) {
        now = playlistResponse(skip, true);
      } else if (static_cast<int>(waiters_.size()) >= options_.maxParkedPerRendition) {
        now = plainError(503, "hls.too_many_waiting", "too many blocked requests");
      } else {
        auto timeout = std::chrono::duration<double>(options_.blockTimeoutTargets * targetDuration());
        waiters_.push_back({true, msn, part, skip, std::move(responder),
                            clock_.steady() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)});
        metrics_.parked.inc();
        return;
      }
    }
  }
  responder.send(std::move(now));
}

void Rendition::serveFile(std::string_view file, http::Responder responder) {
  metrics_.requests.inc();
  auto notFound = [&] { responder.send(plainError(404, "hls.not_found", "no such media file")); };
  if (file.size() <= tag_.size() + 1 || file.substr(0, tag_.size()) != tag_ || file[tag_.size()] != '-')
    return notFound();
  file.remove_prefix(tag_.size() + 1);
  http::Response now;
  {
    std::lock_guard lock(mu_);
    if (file.starts_with("init") && file.ends_with(".mp4")) {
      int v = 0;
      auto it = parseNumber(file.substr(4, file.size() - 8), v) ? inits_.find(v) : inits_.end();
      if (it == inits_.end()) return notFound();
      bool video = std::any_of(tracks_.begin(), tracks_.end(), [](auto& t) { return isVideo(t.codec); });
      now = sharedBody(it->second, video ? "video/mp4" : "audio/mp4", kImmutable);
    } else if (file.ends_with(".m4s")) {
      auto name = file.substr(0, file.size() - 4);
      auto dot = name.find('.');
      std::int64_t msn = 0;
      int part = -1;
      if (!parseNumber(name.substr(0, dot), msn)) return notFound();
      if (dot == std::string_view::npos) {
        if (segments_.empty() || msn < segments_.front().msn || msn > segments_.back().msn ||
            segments_[static_cast<std::size_t>(msn - segments_.front().msn)].gap)
          return notFound();
        now = sharedBody(segments_[static_cast<std::size_t>(msn - segments_.front().msn)].data,
                         "video/iso.segment", kImmutable);
      } else if (!parseNumber(name.substr(dot + 1), part)) {
        return notFound();
      } else if (const auto* p = findPart(msn, part)) {
        now = partResponse(*p);
      } else if (partMayCome(msn, part) &&
                 static_cast<int>(waiters_.size()) < options_.maxParkedPerRendition) {
        // A preload hint: hold it until the part is cut.
        auto timeout = std::chrono::duration<double>(options_.blockTimeoutTargets * targetDuration());
        waiters_.push_back({false, msn, part, false, std::move(responder),
                            clock_.steady() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)});
        metrics_.parked.inc();
        return;
      } else {
        return notFound();
      }
    } else {
      return notFound();
    }
  }
  responder.send(std::move(now));
}

// ---- status ------------------------------------------------------------------------------

std::optional<MasterEntry> Rendition::masterEntry() const {
  std::lock_guard lock(mu_);
  if (tracks_.empty() || (segments_.empty() && (!open_ || open_->parts.empty()))) return std::nullopt;
  MasterEntry e;
  e.uri = id_ + "/index.m3u8";
  for (const auto& t : tracks_) {
    e.codecs += (e.codecs.empty() ? "" : ",") + codecString(t);
    if (isVideo(t.codec)) {
      e.width = t.width > 0 ? t.width : info_.width;
      e.height = t.height > 0 ? t.height : info_.height;
      e.frameRate = info_.frameRate > 0 ? info_.frameRate : t.frameRate;
    }
  }
  if (e.frameRate <= 0) e.frameRate = segmenter_.measuredFrameRate();
  // Measured over the window when there is one; the configured or announced rate before.
  double peak = 0, bits = 0, seconds = 0;
  for (const auto& s : segments_) {
    if (s.gap) continue;
    double b = static_cast<double>(s.data->size()) * 8;
    if (s.duration > 0) peak = std::max(peak, b / s.duration);
    bits += b;
    seconds += s.duration;
  }
  std::int64_t announced = info_.bandwidth;
  if (announced <= 0)
    for (const auto& t : tracks_) announced += t.bitrate;
  e.bandwidth = peak > 0 ? static_cast<std::int64_t>(peak) : (announced > 0 ? announced : 2'000'000);
  e.averageBandwidth = seconds > 0 ? static_cast<std::int64_t>(bits / seconds)
                                   : (info_.averageBandwidth > 0 ? info_.averageBandwidth : 0);
  return e;
}

LiveStream::RenditionStatus Rendition::status() const {
  std::lock_guard lock(mu_);
  LiveStream::RenditionStatus s;
  s.info = info_;
  s.lastMsn = lastMsn();
  s.lastPart = lastPart();
  s.segments = segmentsCut_;
  double bits = 0, seconds = 0;
  for (const auto& seg : segments_) {
    if (seg.gap) continue;
    bits += static_cast<double>(seg.data->size()) * 8;
    seconds += seg.duration;
  }
  s.bitsPerSecond = seconds > 0 ? bits / seconds : 0;
  return s;
}

}  // namespace hub::media::hls
