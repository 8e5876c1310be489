// media/hls/live_stream.cpp
//
// Session life (publishing, grace period, end) and viewer counting of one stream. Lock order:
// a Rendition's lock may be held while taking this one (rendition reports), never the reverse,
// so nothing here calls into a Rendition with mu_ held.
#include "media/hls/live_stream.h"

#include <algorithm>

#include "core/log/log.h"
#include "media/hls/hls_metrics.h"
#include "media/hls/listener_set.h"
#include "media/hls/playlist_writer.h"
#include "media/hls/rendition.h"

namespace hub::media::hls {
namespace {

auto logger() { return log::get("media.hls"); }

constexpr auto kViewerWindow = std::chrono::seconds(30);

std::string base36(std::uint64_t v) {
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), digits[v % 36]);
    v /= 36;
  } while (v);
  return out;
}

}  // namespace

LiveStream::LiveStream(std::string name, const LiveOptions& options, const Clock& clock,
                       ListenerSet& listeners, HlsMetrics& metrics)
    : name_(std::move(name)),
      options_(options),
      clock_(clock),
      listeners_(listeners),
      metrics_(metrics),
      tag_(base36(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall().time_since_epoch()).count()))),
      startedAt_(clock.wall()),
      playback_(kViewerWindow) {}

LiveStream::~LiveStream() = default;

FrameSink& LiveStream::rendition(const RenditionInfo& info) {
  Rendition* existing = nullptr;
  {
    std::lock_guard lock(mu_);
    for (auto& r : renditions_)
      if (r->id() == info.id) existing = r.get();
    if (!existing) {
      renditions_.push_back(
          std::make_unique<Rendition>(name_, info, tag_, options_, clock_, listeners_, metrics_, *this));
      logger()->info("[stream={} rendition={}] added", name_, info.id);
      return *renditions_.back();
    }
  }
  existing->setInfo(info);
  return *existing;
}

void LiveStream::publisherGone() {
  {
    std::lock_guard lock(mu_);
    if (ended_ || !publishing_) return;
    publishing_ = false;
    goneAt_ = clock_.steady();
  }
  logger()->info("[stream={}] publisher gone, grace period {} ms", name_, options_.gracePeriod.count());
  // What was cut so far becomes playable now rather than when the publisher comes back.
  for (auto* r : renditions()) r->end();
}

void LiveStream::publisherBack() {
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    publishing_ = true;
  }
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  logger()->info("[stream={}] publisher back: continuing with a discontinuity", name_);
  for (auto* r : renditions()) r->discontinuity();
}

void LiveStream::endNow() { finish(); }

std::chrono::system_clock::time_point LiveStream::programDateTime(
    int epoch, std::int64_t mediaUs, std::chrono::system_clock::time_point ingestWall) {
  if (ingestWall.time_since_epoch().count() == 0) return {};
  std::lock_guard lock(anchorMu_);
  auto [it, added] = anchors_.try_emplace(epoch, Anchor{mediaUs, ingestWall});
  if (added)
    while (anchors_.size() > 4) anchors_.erase(anchors_.begin());  // late renditions of old epochs
  const Anchor& a = it->second;
  return a.wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      std::chrono::microseconds(mediaUs - a.mediaUs));
}

void LiveStream::finish() {
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = true;
    publishing_ = false;
    endedAt_ = clock_.steady();
  }
  logger()->info("[stream={}] session ended", name_);
  for (auto* r : renditions()) r->finish();
  answerMasters(clock_.steady(), true);
  listeners_.sessionEnded(name_);
}

bool LiveStream::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

bool LiveStream::publishing() const {
  std::lock_guard lock(mu_);
  return publishing_;
}

std::optional<Clock::Steady> LiveStream::endedAt() const {
  std::lock_guard lock(mu_);
  if (!ended_) return std::nullopt;
  return endedAt_;
}

void LiveStream::sawViewer(std::string_view key) { playback_.saw(key, clock_.steady()); }

int LiveStream::viewers() const { return playback_.viewers(clock_.steady()); }

std::vector<LiveStream::RenditionStatus> LiveStream::status() const {
  std::vector<RenditionStatus> out;
  for (auto* r : renditions()) out.push_back(r->status());
  return out;
}

std::string LiveStream::masterPlaylist() const {
  std::vector<MasterEntry> entries;
  for (auto* r : renditions())
    if (auto e = r->masterEntry()) entries.push_back(std::move(*e));
  if (entries.empty()) return {};
  return writeMasterPlaylist(entries);
}

void LiveStream::expectRenditions(std::vector<std::string> ids) {
  {
    std::lock_guard lock(mu_);
    expected_ = std::move(ids);
  }
  renditionChanged();
}

std::vector<std::string> LiveStream::expectedRenditions() const {
  std::lock_guard lock(mu_);
  return expected_;
}

bool LiveStream::masterReady() const {
  std::vector<std::string> expected;
  {
    std::lock_guard lock(mu_);
    if (ended_ || !publishing_) return true;  // nothing more is coming now
    expected = expected_;
  }
  bool any = false;
  for (auto* r : renditions()) {
    bool has = r->lastMsn() >= 0;
    any = any || has;
    if (has) std::erase(expected, r->id());
  }
  return any && expected.empty();
}

http::Response LiveStream::masterResponse() {
  auto text = masterPlaylist();
  if (text.empty()) {
    auto r = http::Response::error(404, "hls.not_found", "the stream has no media yet");
    r.header("cache-control", "no-store");
    r.header("access-control-allow-origin", "*");
    return r;
  }
  auto r = http::Response::text(200, std::move(text), "application/vnd.apple.mpegurl");
  r.header("cache-control", "public, max-age=2");
  r.header("access-control-allow-origin", "*");
  return r;
}

void LiveStream::serveMaster(std::string viewer, http::Responder responder) {
  if (!masterReady() && options_.masterWait.count() > 0) {
    std::lock_guard lock(masterMu_);
    if (static_cast<int>(masterWaiters_.size()) < options_.maxParkedPerRendition) {
      masterWaiters_.push_back(
          {std::move(viewer), std::move(responder), clock_.steady() + options_.masterWait});
      masterParked_.fetch_add(1, std::memory_order_acq_rel);
      metrics_.parked.inc();
      return;
    }
  }
  auto r = masterResponse();
  if (r.status == 200) sawViewer(viewer);
  responder.send(std::move(r));
}

void LiveStream::answerMasters(Clock::Steady now, bool all) {
  if (masterParked_.load(std::memory_order_acquire) == 0) return;
  const bool ready = all || masterReady();
  std::vector<MasterWaiter> due;
  {
    std::lock_guard lock(masterMu_);
    std::size_t kept = 0;
    for (auto& w : masterWaiters_) {
      if (ready || w.deadline <= now)
        due.push_back(std::move(w));
      else
        masterWaiters_[kept++] = std::move(w);
    }
    masterWaiters_.erase(masterWaiters_.begin() + static_cast<std::ptrdiff_t>(kept), masterWaiters_.end());
    masterParked_.store(static_cast<int>(kept), std::memory_order_release);
  }
  if (due.empty()) return;
  metrics_.parked.dec(static_cast<double>(due.size()));
  if (!ready)
    logger()->info("[stream={}] master answered after {} ms without every expected rendition", name_,
                   options_.masterWait.count());
  auto r = masterResponse();
  for (auto& w : due) {
    if (r.status == 200) sawViewer(w.viewer);
    w.responder.send(r);
  }
}

Rendition* LiveStream::find(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& r : renditions_)
    if (r->id() == id) return r.get();
  return nullptr;
}

std::vector<Rendition*> LiveStream::renditions() const {
  std::lock_guard lock(mu_);
  std::vector<Rendition*> out;
  out.reserve(renditions_.size());
  for (const auto& r : renditions_) out.push_back(r.get());
  return out;
}

void LiveStream::tick() {
  auto now = clock_.steady();
  bool expire = false;
  {
    std::lock_guard lock(mu_);
    expire = !ended_ && !publishing_ && now - goneAt_ >= options_.gracePeriod;
  }
  if (expire) {
    logger()->info("[stream={}] no publisher for {} ms: ENDLIST", name_, options_.gracePeriod.count());
    finish();
  }
  for (auto* r : renditions()) r->tick(now);
  answerMasters(now, false);
}

void LiveStream::releaseWaiters() {
  for (auto* r : renditions()) r->releaseWaiters();
  answerMasters(clock_.steady(), true);
}

}  // namespace hub::media::hls
