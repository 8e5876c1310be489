// media/hls/live_registry.cpp
//
// Streams by name, the LL-HLS routes, and the timer thread. Media responses carry
// `Access-Control-Allow-Origin: *` on every answer (whatever the request's Origin), so a CDN can
// cache one copy for every site that embeds the player; [http] cors_origins governs the API.
#include "media/hls/live_registry.h"

#include <vector>

#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "media/hls/hls_metrics.h"
#include "media/hls/listener_set.h"
#include "media/hls/rendition.h"

namespace hub::media::hls {
namespace {

auto logger() { return log::get("media.hls"); }

http::Response notFound(std::string_view what) {
  auto r = http::Response::error(404, "hls.not_found", what);
  r.header("cache-control", "no-store");
  r.header("access-control-allow-origin", "*");
  return r;
}

http::Response preflight(const http::Request& req) {
  auto r = http::Response::noContent(204);
  r.header("access-control-allow-origin", "*");
  r.header("access-control-allow-methods", "GET, HEAD, OPTIONS");
  auto asked = req.header("access-control-request-headers");
  if (!asked.empty()) r.header("access-control-allow-headers", std::string(asked));
  r.header("access-control-max-age", "86400");
  return r;
}

std::string viewerKey(const http::Request& req) {
  return req.peer + "|" + std::string(req.header("user-agent"));
}

}  // namespace

LiveRegistry::LiveRegistry(LiveOptions options, const Clock& clock, metrics::Registry& metrics)
    : options_(options),
      clock_(clock),
      metrics_(metrics),
      hlsMetrics_(std::make_unique<HlsMetrics>(metrics)),
      listeners_(std::make_unique<ListenerSet>()) {
  metrics_.gaugeFn("hub_hls_live_streams", "live HLS sessions (including grace periods)", [this] {
    std::lock_guard lock(mu_);
    double n = 0;
    for (const auto& [name, s] : streams_) n += s->ended() ? 0 : 1;
    return n;
  });
}

LiveRegistry::~LiveRegistry() { stop(); }

std::shared_ptr<LiveStream> LiveRegistry::open(const std::string& stream) {
  std::shared_ptr<LiveStream> s;
  bool resumed = false;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(stream);
    if (it != streams_.end() && !it->second->ended()) {
      s = it->second;
      resumed = true;
    } else {
      s = std::make_shared<LiveStream>(stream, options_, clock_, *listeners_, *hlsMetrics_);
      streams_[stream] = s;
    }
  }
  timerCv_.notify_one();  // a timer idle for want of streams starts ticking
  if (resumed) {
    s->publisherBack();
  } else {
    logger()->info("[stream={} session={}] live session started", stream, s->sessionTag());
    listeners_->sessionStarted(stream);
  }
  return s;
}

std::shared_ptr<LiveStream> LiveRegistry::find(const std::string& stream) const {
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : it->second;
}

void LiveRegistry::close(const std::string& stream) {
  if (auto s = find(stream)) s->endNow();
}

void LiveRegistry::addListener(SegmentListener* listener) { listeners_->add(listener); }

void LiveRegistry::setThumbnailSource(std::function<SharedBytes(const std::string&)> source) {
  std::lock_guard lock(mu_);
  thumbnails_ = std::move(source);
}

void LiveRegistry::addRoutes(http::Server& server) {
  server.routeAsync(http::Method::Get, "/live/:stream/master.m3u8",
                    [this](http::Request req, http::Responder res) {
                      if (auto refused = gate_ ? gate_(req, req.param("stream")) : std::nullopt)
                        return res.send(std::move(*refused));
                      auto s = find(std::string(req.param("stream")));
                      if (!s) return res.send(notFound("no such live stream"));
                      s->serveMaster(viewerKey(req), std::move(res));
                    });
  server.get("/live/:stream/thumb.jpg", [this](const http::Request& req) {
    if (auto refused = gate_ ? gate_(req, req.param("stream")) : std::nullopt) return std::move(*refused);
    std::function<SharedBytes(const std::string&)> source;
    {
      std::lock_guard lock(mu_);
      source = thumbnails_;
    }
    SharedBytes jpeg = source ? source(std::string(req.param("stream"))) : nullptr;
    if (!jpeg) return notFound("no thumbnail");
    http::Response r;
    r.length = jpeg->size();
    r.shared = std::move(jpeg);
    r.header("content-type", "image/jpeg");
    r.header("cache-control", "public, max-age=2");
    r.header("access-control-allow-origin", "*");
    return r;
  });
  server.routeAsync(http::Method::Get, "/live/:stream/:rendition/:file",
                    [this](http::Request req, http::Responder res) {
                      if (auto refused = gate_ ? gate_(req, req.param("stream")) : std::nullopt)
                        return res.send(std::move(*refused));
                      auto s = find(std::string(req.param("stream")));
                      Rendition* r = s ? s->find(req.param("rendition")) : nullptr;
                      if (!r) return res.send(notFound("no such live stream or rendition"));
                      auto file = req.param("file");
                      if (file == "index.m3u8") {
                        s->sawViewer(viewerKey(req));
                        r->servePlaylist(req, std::move(res));
                      } else {
                        r->serveFile(file, std::move(res));
                      }
                    });
  for (auto pattern :
       {"/live/:stream/master.m3u8", "/live/:stream/thumb.jpg", "/live/:stream/:rendition/:file"})
    server.route(http::Method::Options, pattern, preflight);
}

void LiveRegistry::start() {
  if (running_.exchange(true)) return;
  timer_ = hub::loop::namedThread("hub-hls-timer", [this] {
    // Every 50 ms while there are streams; with none (a chat node, a quiet media node) it sleeps
    // until one opens instead of waking 20 times a second for nothing.
    std::unique_lock lock(mu_);
    while (running_.load()) {
      if (streams_.empty())
        timerCv_.wait(lock, [&] { return !running_.load() || !streams_.empty(); });
      else
        timerCv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return !running_.load(); });
      if (!running_.load()) break;
      lock.unlock();
      tick();
      lock.lock();
    }
  });
}

void LiveRegistry::stop() {
  if (running_.exchange(false)) {
    { std::lock_guard lock(mu_); }  // the timer is waiting, or will see running_ false
    timerCv_.notify_all();
    if (timer_.joinable()) timer_.join();
  }
  std::vector<std::shared_ptr<LiveStream>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : streams_) all.push_back(s);
  }
  for (const auto& s : all) s->releaseWaiters();
}

void LiveRegistry::tick() {
  std::vector<std::shared_ptr<LiveStream>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : streams_) all.push_back(s);
  }
  for (const auto& s : all) s->tick();
  auto now = clock_.steady();
  std::lock_guard lock(mu_);
  std::erase_if(streams_, [&](const auto& kv) {
    auto at = kv.second->endedAt();
    if (!at || now - *at < options_.endedLinger) return false;
    auto added = kv.second->takePlayback();
    if (added.plays > 0 || added.watchMs > 0)
      dropped_.push_back(PlaybackGrowth{kv.first, kv.second->sessionTag(), kv.second->startedAt(), added, 0});
    return true;
  });
}

std::vector<LiveRegistry::PlaybackGrowth> LiveRegistry::takePlayback() {
  std::vector<std::shared_ptr<LiveStream>> all;
  std::vector<PlaybackGrowth> out;
  {
    std::lock_guard lock(mu_);
    out.swap(dropped_);
    for (const auto& [name, s] : streams_) all.push_back(s);
  }
  for (const auto& s : all) {
    const int viewers = s->viewers();
    auto added = s->takePlayback();
    if (added.plays > 0 || added.watchMs > 0 || viewers > 0)
      out.push_back(PlaybackGrowth{s->name(), s->sessionTag(), s->startedAt(), added, viewers});
  }
  return out;
}

}  // namespace hub::media::hls
