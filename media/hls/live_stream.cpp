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
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall().time_since_epoch()).count()))) {}

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

void LiveStream::sawViewer(std::string_view key) {
  auto now = clock_.steady();
  std::lock_guard lock(mu_);
  auto it = viewers_.find(key);
  if (it != viewers_.end())
    it->second = now;
  else
    viewers_.emplace(std::string(key), now);
}

int LiveStream::viewers() const {
  auto now = clock_.steady();
  std::lock_guard lock(mu_);
  std::erase_if(viewers_, [&](const auto& kv) { return now - kv.second >= kViewerWindow; });
  return static_cast<int>(viewers_.size());
}

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
}

void LiveStream::releaseWaiters() {
  for (auto* r : renditions()) r->releaseWaiters();
}

}  // namespace hub::media::hls
