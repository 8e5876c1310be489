// media/service/media_service.cpp
#include "media/service/media_service.h"

#include <set>

#include "core/auth/token.h"
#include "core/bus/bus.h"
#include "core/http/bearer_auth.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/loop/worker_pool.h"
#include "core/sql/change_watcher.h"

namespace hub::media::service {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media");
  return log;
}

}  // namespace

MediaService::MediaService() = default;

MediaService::~MediaService() { stop(); }

std::vector<sql::Migration> MediaService::migrations() const {
  auto all = streams::StreamStore::migrations();
  auto record = record::Recorder::migrations();
  all.insert(all.end(), record.begin(), record.end());
  return all;
}

hls::SharedBytes MediaService::thumbnail(const std::string& stream, bool viewer) const {
  auto s = session(stream);
  auto o = s ? s->outputs() : nullptr;
  return o ? o->thumbnail(viewer) : nullptr;
}

Status MediaService::start(hub::service::Context& context) {
  context_ = &context;
  const auto& cfg = context.config;
  rtmpPublicUrl_ = cfg.rtmp.publicUrl;
  httpPublicUrl_ = cfg.http.publicUrl;
  store_ = std::make_unique<streams::StreamStore>(context.db, context.clock);
  if (auto st = reload(); !st) return st.error().wrap("load streams");

  context.changes.onChange(streams::kChangeTopic, [this](std::string_view, std::int64_t) {
    auto queued = context_->workers.submit([this] {
      if (auto st = reload(); !st) logger()->warn("reloading streams failed: {}", st.error().message);
    });
    if (!queued) logger()->warn("reloading streams not queued: {}", queued.error().message);
  });

  live_ = std::make_unique<hls::LiveRegistry>(hls::liveOptionsFrom(cfg.hls), context.clock, context.metrics);
  record::RecorderOptions ro;
  ro.dir = cfg.data.dir + "/recordings";
  ro.enabled = cfg.record.enabled;
  ro.exportMp4 = cfg.record.exportMp4;
  ro.maxQueuedBytes = static_cast<std::size_t>(cfg.record.maxQueueBytes);
  ro.thumbnailInterval = std::chrono::seconds(cfg.record.thumbnailIntervalSeconds);
  recorder_ = std::make_unique<record::Recorder>(ro, context.db, context.clock, &context.metrics);
  if (auto st = recorder_->start(); !st) return st.error().wrap("recorder");
  recorder_->setThumbnailSource([this](const std::string& stream) { return thumbnail(stream, false); });
  recorder_->setHeldCheck([this](const std::string& stream) { return held(stream); });
  recorder_->setFinishedListener([this](const record::RecordingInfo& info) {
    announce("recorded", info.stream, {{"recording", info.id}, {"state", info.state}});
  });
  live_->setThumbnailSource([this](const std::string& stream) { return thumbnail(stream, true); });
  live_->addListener(recorder_.get());
  live_->setGate([this](const http::Request& req, std::string_view stream) { return gate(req, stream); });
  live_->addRoutes(context.http);
  const std::string token = cfg.admin.token;
  if (auto st = recorder_->addRoutes(context.http, context.workers,
                                     [token](const http::Request& r) { return http::checkBearer(r, token); });
      !st)
    return st.error().wrap("recorder routes");
  live_->start();

  rtmp::IngestServerOptions o;
  o.address = cfg.rtmp.listen.host;
  o.port = cfg.rtmp.listen.port;
  o.maxConnections = static_cast<std::size_t>(cfg.rtmp.maxConnections);
  o.handshakeTimeout = std::chrono::seconds(cfg.rtmp.handshakeTimeoutSeconds);
  o.idleTimeout = std::chrono::seconds(cfg.rtmp.idleTimeoutSeconds);
  o.session.limits.maxMessageSize = static_cast<std::uint32_t>(cfg.rtmp.maxMessageBytes);
  o.session.limits.maxBufferedBytes = static_cast<std::size_t>(cfg.rtmp.maxMessageBytes) * 2;
  rtmp::IngestHost& host = *this;
  ingest_ = std::make_unique<rtmp::IngestServer>(o, host, context.metrics, context.clock);
  if (auto st = ingest_->start(); !st) return st;

  addRoutes(context);
  responder_ = std::make_unique<StreamsResponder>(
      context.bus, *store_, context.metrics,
      StreamsResponderHooks{.changed =
                                [this] {
                                  if (auto st = reload(); !st)
                                    logger()->warn("reloading streams failed: {}", st.error().message);
                                },
                            .live =
                                [this](const std::string& name) {
                                  auto s = session(name);
                                  return s && s->live();
                                },
                            .ingestUrl = rtmpPublicUrl_});
  responder_->start();
  if (cfg.media.demo)
    if (auto st = startDemo(); !st) return st.error().wrap("demo channel");
  context.metrics.gaugeFn("hub_media_streams_live", "Streams with a publisher now", [this] {
    double n = 0;
    for (const auto& s : sessions()) n += s->live() ? 1 : 0;
    return n;
  });

  if (cfg.media.healthIntervalSeconds > 0) {
    stopping_ = false;
    health_ = std::thread([this, interval = std::chrono::seconds(cfg.media.healthIntervalSeconds)] {
      hub::loop::setThreadName("hub-media-health");
      std::unique_lock lock(healthMu_);
      while (!healthWake_.wait_for(lock, interval, [this] { return stopping_; })) {
        lock.unlock();
        sampleHealth();
        lock.lock();
      }
    });
  }
  return {};
}

void MediaService::stop() {
  if (responder_) responder_->stop();
  {
    std::lock_guard lock(healthMu_);
    stopping_ = true;
  }
  healthWake_.notify_all();
  if (health_.joinable()) health_.join();
  if (demo_) demo_->stop();      // before the ingest, so it leaves like any publisher
  if (ingest_) ingest_->stop();  // publishers end here, on the ingest thread
  for (auto& s : sessions()) s->close();
  if (live_) live_->stop();
  if (recorder_) recorder_->stop();
  // The last batch of plays and watch time, so a restart loses none.
  if (auto playback = takePlayback(); !playback.empty()) storePlayback(std::move(playback));
}

Status MediaService::startDemo() {
  auto existing = store_->get(kDemoStream);
  if (!existing && existing.error().code != "media.not_found") return existing.error();
  if (!existing) {
    // Another node may create it at the same moment: that is as good.
    auto made = store_->create(kDemoStream, "Demo channel");
    if (!made && made.error().code != "media.stream_exists") return made.error();
    // The 640x360 source is the only rendition: no ladder to encode on a newcomer's laptop.
    if (made)
      if (auto r = store_->setLadder(kDemoStream, true, {}); !r) return r.error();
    if (auto st = reload(); !st) return st;
  }
  // Our own ingest, by the address it listens on (loopback when it listens on every address).
  std::string host = context_->config.rtmp.listen.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string base = "rtmp://" + host + ":" + std::to_string(ingest_->port()) + "/live/";
  auto target = [this, base]() -> Result<std::string> {
    std::lock_guard lock(directoryMu_);
    auto it = byName_.find(kDemoStream);
    if (it == byName_.end()) return makeError("media.not_found", "the stream \"demo\" was deleted");
    return base + it->second.key;
  };
  demo_ = std::make_unique<pipeline::DemoPublisher>(pipeline::DemoOptions{}, target, &context_->metrics);
  demo_->start();
  logger()->info("demo channel: watch it at {}/watch/{}", httpPublicUrl_, kDemoStream);
  return {};
}

std::vector<streams::PlaybackRow> MediaService::takePlayback() {
  std::vector<streams::PlaybackRow> rows;
  if (!live_ || !context_) return rows;
  auto ms = [](Clock::Wall t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  const auto now = ms(context_->clock.wall());
  for (auto& g : live_->takePlayback())
    rows.push_back(streams::PlaybackRow{std::move(g.stream), std::move(g.session), ms(g.startedAt), now,
                                        g.added.plays, g.added.watchMs, g.viewers, false});
  // Replays: their stream and start are read from the recording by storePlayback().
  if (recorder_)
    for (auto& g : recorder_->takeReplayViews())
      rows.push_back(streams::PlaybackRow{"", std::move(g.recording), 0, now, g.added.plays, g.added.watchMs,
                                          g.viewers, true});
  return rows;
}

void MediaService::storePlayback(std::vector<streams::PlaybackRow> rows) {
  std::erase_if(rows, [this](streams::PlaybackRow& r) {
    if (!r.replay) return false;
    auto rec = recorder_->find(r.session);
    if (!rec) return true;  // deleted since: nothing to grow
    r.stream = rec->stream;
    r.startedAtMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(rec->startedAt.time_since_epoch()).count();
    return false;
  });
  if (auto st = store_->recordPlayback(rows); !st)
    logger()->warn("storing playback of {} sessions failed: {}", rows.size(), st.error().message);
}

void MediaService::sampleHealth() {
  // Plays and watch time, one batch per round (media_playback), stored with the samples.
  if (auto playback = takePlayback(); !playback.empty()) {
    auto queued = context_->workers.submit(
        [this, playback = std::move(playback)]() mutable { storePlayback(std::move(playback)); });
    if (!queued) logger()->warn("playback batch dropped: {}", queued.error().message);
  }
  std::vector<streams::HealthSample> samples;
  for (const auto& s : sessions())
    if (s->live()) samples.push_back(s->sample());
  if (samples.empty() || !context_) return;
  bool prune = ++healthRounds_ % 720 == 1;  // about hourly at the default interval
  auto keepDays = context_->config.media.healthKeepDays;
  auto queued = context_->workers.submit([this, samples = std::move(samples), prune, keepDays] {
    if (auto st = store_->recordHealth(samples); !st)
      logger()->warn("storing stream health failed: {}", st.error().message);
    if (prune) {
      auto cutoff = context_->clock.wall() - std::chrono::hours(24) * keepDays;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(cutoff.time_since_epoch()).count();
      if (auto r = context_->db.exec("DELETE FROM media_stream_health WHERE sampled_at < ?", {ms}); !r)
        logger()->warn("pruning stream health failed: {}", r.error().message);
    }
  });
  if (!queued) logger()->warn("stream health sample dropped: {}", queued.error().message);
}

void MediaService::announce(const char* event, const std::string& stream, nlohmann::json extra) {
  if (!context_) return;
  extra["event"] = event;
  extra["name"] = stream;
  if (auto st = context_->bus.publish(kBusTopic, extra.dump()); !st)
    logger()->warn("[stream={}] bus announcement {} failed: {}", stream, event, st.error().message);
}

bool MediaService::held(std::string_view stream) const {
  if (!anyHeld_.load(std::memory_order_relaxed)) return false;  // the usual case: no lock
  std::lock_guard lock(directoryMu_);
  auto it = byName_.find(std::string(stream));
  return it != byName_.end() && it->second.held;
}

std::optional<http::Response> MediaService::gate(const http::Request& req, std::string_view stream) const {
  if (!held(stream)) return std::nullopt;
  std::string_view token = req.header("x-hub-preview");
  if (token.empty())
    if (auto q = req.queryParam("preview")) token = *q;
  if (!token.empty() && context_) {
    auto claims = auth::verifyToken(token, context_->authSecret, context_->clock);
    if (claims && auth::roleInRoom(*claims, stream) >= auth::Role::Moderator) return std::nullopt;
  }
  return http::Response::error(403, "stream.held", "this broadcast has not started yet")
      .header("cache-control", "no-store")
      .header("access-control-allow-origin", "*");
}

Status MediaService::reload() {
  std::lock_guard reloadLock(reloadMu_);
  auto list = store_->list();
  if (!list) return list.error();
  auto schedules = store_->schedules();
  if (!schedules) return schedules.error();
  std::map<std::string, streams::Schedule> freshSchedules;
  for (auto& s : *schedules) freshSchedules[s.name] = std::move(s);
  std::map<std::string, streams::Stream> fresh;
  std::map<std::string, std::string, std::less<>> keys;
  for (auto& s : *list) {
    keys[s.key] = s.name;
    fresh[s.name] = std::move(s);
  }
  std::vector<std::string> deleted, rekeyed;
  std::vector<streams::Stream> createdStreams, deletedStreams;  // for the announcement claims
  {
    std::lock_guard lock(directoryMu_);
    for (const auto& [name, s] : fresh) {
      auto old = byName_.find(name);
      if (old == byName_.end())
        createdStreams.push_back(s);
      else if (old->second.key != s.key)
        rekeyed.push_back(name);
    }
    for (const auto& [name, s] : byName_)
      if (!fresh.count(name)) {
        deleted.push_back(name);
        deletedStreams.push_back(s);
      }
    bool anyHeld = false;
    for (const auto& [name, s] : fresh) anyHeld = anyHeld || s.held;
    anyHeld_.store(anyHeld, std::memory_order_relaxed);
    byName_ = std::move(fresh);
    nameByKey_ = std::move(keys);
    schedules_ = std::move(freshSchedules);
  }
  bool announce = loadedOnce_;  // the first load is the baseline, not news
  loadedOnce_ = true;
  for (const auto& name : rekeyed)
    if (ingest_) ingest_->disconnect(name);
  for (const auto& name : deleted) {
    if (ingest_) ingest_->disconnect(name);
    std::shared_ptr<StreamSession> gone;
    {
      std::lock_guard lock(sessionsMu_);
      if (auto it = sessions_.find(name); it != sessions_.end()) {
        gone = it->second;
        sessions_.erase(it);
      }
    }
    if (gone && ingest_) ingest_->post([gone] { gone->close(); });
    if (live_) live_->close(name);
  }
  if (announce && context_) {
    // Every media node sharing the database sees the same change; the one that claims it in SQL
    // announces it (when the claim cannot be made, announcing twice beats not at all).
    auto event = [&](const char* what, const streams::Stream& s) {
      auto claimed = store_->claimAnnouncement(what, s);
      if (!claimed)
        logger()->warn("[stream={}] claiming the {} announcement failed: {}", s.name, what,
                       claimed.error().message);
      if (claimed && !*claimed) return;
      nlohmann::json j = {{"event", what}, {"name", s.name}};
      if (auto st = context_->bus.publish(kBusTopic, j.dump()); !st)
        logger()->warn("[stream={}] bus announcement {} failed: {}", s.name, what, st.error().message);
    };
    for (const auto& s : createdStreams) event("created", s);
    for (const auto& s : deletedStreams) event("deleted", s);
    if (!createdStreams.empty() || !deletedStreams.empty())
      if (auto st = store_->pruneAnnouncements(context_->clock.wall() - std::chrono::hours(24 * 7)); !st)
        logger()->warn("pruning stream announcements failed: {}", st.error().message);
  }
  return {};
}

Result<std::string> MediaService::resolveKey(std::string_view key) {
  std::lock_guard lock(directoryMu_);
  auto it = nameByKey_.find(key);
  if (it == nameByKey_.end()) return makeError("rtmp.bad_key", "unknown stream key");
  return it->second;
}

FrameSink& MediaService::publishStarted(const std::string& stream, const rtmp::PublisherInfo& info,
                                        bool takeover) {
  std::shared_ptr<StreamSession> s;
  {
    std::lock_guard lock(sessionsMu_);
    auto& slot = sessions_[stream];
    if (!slot) slot = std::make_shared<StreamSession>(stream, context_->clock);
    s = slot;
  }
  // The live session (new, or resumed within its grace period) and what feeds it.
  auto live = live_->open(stream);
  streams::Stream settings;
  {
    std::lock_guard lock(directoryMu_);
    if (auto it = byName_.find(stream); it != byName_.end()) settings = it->second;
  }
  settings.name = stream;
  auto current = s->outputs();
  if (!current || current->live() != live || !current->sameSettings(settings)) {
    auto fresh = std::make_shared<LiveOutputs>(live, settings, context_->config.transcode,
                                               restreamOptionsFrom(context_->config.restream),
                                               context_->clock, &context_->metrics);
    s->setOutputs(fresh);
    // Ending and joining the old pipeline may take a moment: not on the ingest thread.
    if (current)
      if (auto st = context_->workers.submit([current] { current->end(); }); !st) current->end();
  }
  s->publisherArrived(Publisher{info.connectionId, info.peer}, takeover);
  announce("live", stream);
  return *s;
}

void MediaService::publishEnded(const std::string& stream) {
  if (auto s = session(stream)) {
    s->publisherLeft();
    if (auto o = s->outputs()) o->live()->publisherGone();
  }
  announce("ended", stream);
}

void MediaService::framesDropped(const std::string& stream, std::uint64_t n) {
  if (auto s = session(stream)) s->framesDropped(n);
}

std::shared_ptr<StreamSession> MediaService::session(const std::string& stream) const {
  std::lock_guard lock(sessionsMu_);
  auto it = sessions_.find(stream);
  return it == sessions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<StreamSession>> MediaService::sessions() const {
  std::lock_guard lock(sessionsMu_);
  std::vector<std::shared_ptr<StreamSession>> out;
  for (const auto& [name, s] : sessions_) out.push_back(s);
  return out;
}

std::string MediaService::publishUrl(const streams::Stream& s) const { return rtmpPublicUrl_ + "/" + s.key; }

std::string MediaService::playbackUrl(const std::string& name) const {
  return httpPublicUrl_ + "/live/" + name + "/master.m3u8";
}

}  // namespace hub::media::service
