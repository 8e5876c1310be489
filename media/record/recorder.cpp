// media/record/recorder.cpp
//
// The recorder's worker, the listener side and the end of a recording (playlists, thumbnail,
// MP4); see recorder.h. All recording state lives on the worker thread: the listener calls
// only queue tasks, so the packager never waits for a disk or SQL.
#include "media/record/recorder.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "media/record/mp4_export.h"
#include "media/record/poster_frame.h"
#include "media/record/recording_store.h"
#include "media/record/replay_views.h"
#include "media/record/vod_playlist.h"

namespace hub::media::record {

namespace fs = std::filesystem;

namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.record");
  return log;
}

std::int64_t toMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "20261129T040512Z-gala-3fa9c2": sorts by time, says whose it is, cannot collide in practice.
std::string newRecordingId(const std::string& stream, std::chrono::system_clock::time_point now) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
  static thread_local std::mt19937 rng{std::random_device{}()};
  char tail[8];
  std::snprintf(tail, sizeof tail, "%06x", static_cast<unsigned>(rng() & 0xffffff));
  std::string safe;
  for (char c : stream.substr(0, 32))
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return std::string(when) + "-" + safe + "-" + tail;
}

std::int64_t directorySize(const std::string& dir) {
  std::int64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) total += static_cast<std::int64_t>(it->file_size(ec));
  return total;
}

bool sameBytes(const hls::SharedBytes& a, const hls::SharedBytes& b) {
  if (a == b) return true;
  return a && b && *a == *b;
}

}  // namespace

struct Recorder::Impl {
  struct RenditionState {
    std::string dir;
    hls::SharedBytes init;
    std::string initFile;
    int inits = 0;
    bool gap = false;  // a segment was dropped: the next one gets a discontinuity
  };
  struct Active {
    RecordingInfo info;
    std::string dir;
    std::map<std::string, RenditionState> renditions;
    Clock::Steady lastThumbnail{};
  };
  struct Task {
    std::function<void()> run;
    std::size_t bytes = 0;
  };

  RecorderOptions options;
  sql::Database& db;
  RecordingStore store;
  const Clock& clock;
  ReplayViews views{clock};

  metrics::Counter* segmentsWritten = nullptr;
  metrics::Counter* bytesWritten = nullptr;
  metrics::Counter* segmentsDropped = nullptr;
  metrics::Counter* failures = nullptr;
  metrics::Counter* finished = nullptr;

  std::mutex thumbMu;
  std::function<hls::SharedBytes(const std::string&)> thumbnails;
  std::function<void(const RecordingInfo&)> onFinished;  // set before start(); worker thread
  std::function<bool(const std::string&)> isHeld;        // set before start(); packager threads

  std::mutex mu;
  std::condition_variable cv, idle;
  std::deque<Task> tasks;
  std::size_t queuedBytes = 0;
  std::set<std::pair<std::string, std::string>> gaps;  // (stream, rendition) that lost a segment
  bool busy = false;
  bool running = false;
  bool stopping = false;
  std::thread worker;

  std::map<std::string, Active> active;  // by stream; worker thread only

  Impl(RecorderOptions o, sql::Database& d, const Clock& c, metrics::Registry* m)
      : options(std::move(o)), db(d), store(d), clock(c) {
    if (m) {
      segmentsWritten = &m->counter("hub_record_segments_total", "Segments written to recordings");
      bytesWritten = &m->counter("hub_record_bytes_total", "Bytes written to recordings");
      segmentsDropped = &m->counter("hub_record_dropped_segments_total",
                                    "Segments not recorded because the disk fell behind or failed");
      failures = &m->counter("hub_record_failures_total", "Recording steps that failed (write, SQL, export)");
      finished = &m->counter("hub_record_finished_total", "Recordings finalized");
    }
  }

  void fail(const std::string& what, const Error& e) {
    if (failures) failures->inc();
    logger()->error("{}: {} ({})", what, e.message, e.code);
  }

  // ---- the worker ----

  void post(std::function<void()> fn, std::size_t bytes = 0) {
    std::lock_guard lock(mu);
    tasks.push_back({std::move(fn), bytes});
    queuedBytes += bytes;
    cv.notify_one();
  }

  void loop() {
    for (;;) {
      Task task;
      {
        std::unique_lock lock(mu);
        busy = false;
        if (tasks.empty()) idle.notify_all();
        cv.wait(lock, [&] { return stopping || !tasks.empty(); });
        if (tasks.empty()) return;  // stopping with nothing left
        task = std::move(tasks.front());
        tasks.pop_front();
        queuedBytes -= task.bytes;
        busy = true;
      }
      task.run();
    }
  }

  hls::SharedBytes thumbnailOf(const std::string& stream) {
    std::lock_guard lock(thumbMu);
    return thumbnails ? thumbnails(stream) : nullptr;
  }

  bool saveThumbnail(const std::string& dir, const std::string& stream) {
    auto jpeg = thumbnailOf(stream);
    if (!jpeg || jpeg->empty()) return false;
    if (auto s = writeFileAtomically(dir + "/thumb.jpg", *jpeg); !s) {
      fail("[recording=" + dir + "] thumbnail", s.error());
      return false;
    }
    return true;
  }

  // ---- recording (worker thread) ----

  Active& begin(const std::string& stream) {
    if (auto it = active.find(stream); it != active.end()) {
      // A new session without the end of the previous one: close that first.
      finish(stream);
    }
    Active a;
    a.info.id = newRecordingId(stream, clock.wall());
    a.info.stream = stream;
    a.info.title = stream;
    a.info.state = "recording";
    a.info.startedAt = clock.wall();
    a.dir = options.dir + "/" + a.info.id;
    std::error_code ec;
    fs::create_directories(a.dir, ec);
    if (ec) fail("[stream=" + stream + "] make " + a.dir, makeError("record.write", ec.message()));
    if (auto s = store.insert(a.info); !s) fail("[stream=" + stream + "] recording row", s.error());
    logger()->info("[stream={} recording={}] recording started", stream, a.info.id);
    return active.emplace(stream, std::move(a)).first->second;
  }

  void write(const hls::SegmentEvent& ev, bool gap) {
    auto it = active.find(ev.stream);
    Active& a = it != active.end() ? it->second : begin(ev.stream);
    auto rit = a.renditions.find(ev.rendition.id);
    const bool first = rit == a.renditions.end();  // nothing recorded before it: no gap to mark
    if (first) {
      RenditionState r;
      r.dir = a.dir + "/" + ev.rendition.id;
      std::error_code ec;
      fs::create_directories(r.dir, ec);
      if (auto s = writeRenditionInfo(r.dir, ev.rendition); !s)
        fail("[recording=" + a.info.id + "] rendition", s.error());
      rit = a.renditions.emplace(ev.rendition.id, std::move(r)).first;
      // The source first, then the rungs in the order they appeared.
      if (ev.rendition.id == "source")
        a.info.renditions.insert(a.info.renditions.begin(), ev.rendition.id);
      else
        a.info.renditions.push_back(ev.rendition.id);
    }
    RenditionState& r = rit->second;
    if (ev.gap) {
      writeGap(a, r, ev);
      return;
    }
    r.gap = r.gap || (gap && !first);
    if (!sameBytes(r.init, ev.init)) {
      if (r.init) (void)writeRenditionInfo(r.dir, ev.rendition);  // codecs may have changed with it
      r.initFile = "init" + std::to_string(r.inits++) + ".mp4";
      r.init = ev.init;
      if (auto s = writeFileAtomically(r.dir + "/" + r.initFile, ev.init ? *ev.init : std::string()); !s) {
        fail("[recording=" + a.info.id + "] init", s.error());
        r.gap = true;
        return;
      }
    }
    JournalEntry e;
    e.sequence = ev.sequence;
    e.durationSeconds = ev.durationSeconds;
    e.discontinuity = ev.discontinuity || r.gap;
    e.initFile = r.initFile;
    e.programDateTimeMs = toMs(ev.programDateTime);
    e.file = "seg" + std::to_string(ev.sequence) + ".m4s";
    if (fs::exists(r.dir + "/" + e.file))
      e.file = "seg" + std::to_string(ev.sequence) + "-" + std::to_string(r.inits) + ".m4s";
    const auto& data = ev.data ? *ev.data : std::string();
    if (auto s = writeFileAtomically(r.dir + "/" + e.file, data); !s) {
      fail("[recording=" + a.info.id + "] segment", s.error());
      r.gap = true;
      if (segmentsDropped) segmentsDropped->inc();
      return;
    }
    if (auto s = appendJournal(r.dir, e); !s) fail("[recording=" + a.info.id + "] journal", s.error());
    r.gap = false;
    if (segmentsWritten) segmentsWritten->inc();
    if (bytesWritten) bytesWritten->inc(static_cast<double>(data.size()));
    a.info.sizeBytes += static_cast<std::int64_t>(data.size());
    if (!a.info.renditions.empty() && a.info.renditions.front() == ev.rendition.id) {
      a.info.durationSeconds += ev.durationSeconds;
      if (auto s = store.update(a.info); !s) fail("[recording=" + a.info.id + "] progress", s.error());
      if (clock.steady() - a.lastThumbnail >= options.thumbnailInterval || !a.info.hasThumbnail) {
        a.lastThumbnail = clock.steady();
        a.info.hasThumbnail = saveThumbnail(a.dir, ev.stream) || a.info.hasThumbnail;
      }
    }
  }

  // A hole the rendition left (EXT-X-GAP live): a journal line without a file, so the replay
  // lists it too and its timeline and duration are the media's.
  void writeGap(Active& a, RenditionState& r, const hls::SegmentEvent& ev) {
    if (r.initFile.empty()) return;  // nothing recorded before it: nothing to keep apart
    JournalEntry e;
    e.sequence = ev.sequence;
    e.durationSeconds = ev.durationSeconds;
    e.initFile = r.initFile;
    e.programDateTimeMs = toMs(ev.programDateTime);
    e.file = gapFileName(ev.sequence);
    e.gap = true;
    if (auto s = appendJournal(r.dir, e); !s) fail("[recording=" + a.info.id + "] journal", s.error());
    if (!a.info.renditions.empty() && a.info.renditions.front() == ev.rendition.id)
      a.info.durationSeconds += ev.durationSeconds;
  }

  void finish(const std::string& stream) {
    auto node = active.extract(stream);
    if (node.empty()) return;
    Active& a = node.mapped();
    a.info.endedAt = clock.wall();
    a.info.hasThumbnail = saveThumbnail(a.dir, stream) || a.info.hasThumbnail;
    finalize(a.info);
  }

  // Playlists, master, MP4, row: for a session that ended and for one a crash left open.
  void finalize(RecordingInfo info) {
    const std::string dir = options.dir + "/" + info.id;
    info.state = "processing";
    if (auto s = store.update(info); !s) fail("[recording=" + info.id + "] state", s.error());

    // Renditions: the row's order first, then any directory it does not name (crash).
    std::vector<std::string> ids = info.renditions;
    std::error_code ec;
    if (fs::is_directory(dir, ec))
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory() && std::find(ids.begin(), ids.end(), e.path().filename().string()) == ids.end())
          ids.push_back(e.path().filename().string());
    std::vector<hls::RenditionInfo> listed;
    std::vector<std::string> kept;
    std::vector<JournalEntry> first;
    std::string posterDir;  // the smallest video rendition: the cheapest poster to decode
    JournalEntry posterSegment;
    int posterHeight = 0;
    for (const auto& id : ids) {
      const std::string rdir = dir + "/" + id;
      auto rinfo = readRenditionInfo(rdir);
      auto journal = readJournal(rdir);
      if (!rinfo || !journal || journal->empty()) continue;
      if (auto s = writeFileAtomically(rdir + "/index.m3u8", vodMediaPlaylist(*journal)); !s) {
        fail("[recording=" + info.id + "] playlist", s.error());
        continue;
      }
      if (listed.empty()) first = *journal;
      auto media =
          std::find_if(journal->begin(), journal->end(), [](const JournalEntry& e) { return !e.gap; });
      if (rinfo->height > 0 && media != journal->end() &&
          (posterHeight == 0 || rinfo->height < posterHeight)) {
        posterHeight = rinfo->height;
        posterDir = rdir;
        posterSegment = *media;
      }
      listed.push_back(*rinfo);
      kept.push_back(id);
    }
    info.renditions = kept;
    if (listed.empty()) {
      // Nothing was cut (the publisher left at once): no replay to offer.
      logger()->info("[stream={} recording={}] no segments: recording dropped", info.stream, info.id);
      fs::remove_all(dir, ec);
      (void)store.remove(info.id);
      return;
    }
    info.durationSeconds = totalDuration(first);
    if (!info.endedAt) {
      const auto& last = first.back();
      info.endedAt =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(last.programDateTimeMs)) +
          std::chrono::milliseconds(static_cast<std::int64_t>(last.durationSeconds * 1000));
    }
    Status master = writeFileAtomically(dir + "/master.m3u8", vodMasterPlaylist(listed));
    if (!master) fail("[recording=" + info.id + "] master", master.error());
    info.hasThumbnail = fs::exists(dir + "/thumb.jpg", ec);
    if (!info.hasThumbnail && !posterDir.empty()) {
      auto jpeg = posterFrame(posterDir + "/" + posterSegment.initFile, posterDir + "/" + posterSegment.file);
      if (jpeg)
        info.hasThumbnail = writeFileAtomically(dir + "/thumb.jpg", *jpeg).ok();
      else
        fail("[recording=" + info.id + "] poster frame", jpeg.error());
    }
    if (options.exportMp4) {
      auto mp4 = exportMp4(dir + "/" + kept.front(), first, dir + "/download.mp4");
      if (mp4) {
        info.hasMp4 = true;
        if (mp4->segmentsLeftOut > 0)
          logger()->warn("[recording={}] MP4 export left out {} segments after a codec change", info.id,
                         mp4->segmentsLeftOut);
      } else {
        fail("[recording=" + info.id + "] MP4 export", mp4.error());
      }
    }
    info.sizeBytes = directorySize(dir);
    info.state = master ? "ready" : "failed";
    if (auto s = store.update(info); !s) fail("[recording=" + info.id + "] state", s.error());
    if (finished) finished->inc();
    logger()->info("[stream={} recording={}] recording {}: {:.1f} s, {} renditions, {} bytes", info.stream,
                   info.id, info.state, info.durationSeconds, info.renditions.size(), info.sizeBytes);
    if (onFinished) onFinished(info);
  }
};

Recorder::Recorder(RecorderOptions options, sql::Database& db, const Clock& clock, metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), db, clock, metrics)) {}

Recorder::~Recorder() { stop(); }

std::vector<sql::Migration> Recorder::migrations() { return RecordingStore::migrations(); }

Status Recorder::start() {
  std::error_code ec;
  fs::create_directories(impl_->options.dir, ec);
  if (ec) return makeError("record.dir", "make " + impl_->options.dir + ": " + ec.message());
  auto open = impl_->store.unfinished();
  if (!open) return open.error().wrap("record start");
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->running) return {};
    impl_->running = true;
    impl_->stopping = false;
  }
  impl_->worker = hub::loop::namedThread("hub-record", [this] { impl_->loop(); });
  for (const auto& r : *open) {
    logger()->warn("[stream={} recording={}] left open by a previous run: finalizing", r.stream, r.id);
    impl_->post([this, r] { impl_->finalize(r); });
  }
  return {};
}

void Recorder::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->running) return;
  }
  // Sessions still open end here: their recordings are finished like any other.
  impl_->post([this] {
    std::vector<std::string> streams;
    for (const auto& [stream, a] : impl_->active) streams.push_back(stream);
    for (const auto& s : streams) impl_->finish(s);
  });
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->cv.notify_all();
  }
  impl_->worker.join();
  std::lock_guard lock(impl_->mu);
  impl_->running = false;
}

void Recorder::setHeldCheck(std::function<bool(const std::string& stream)> isHeld) {
  impl_->isHeld = std::move(isHeld);
}

void Recorder::setFinishedListener(std::function<void(const RecordingInfo&)> listener) {
  impl_->onFinished = std::move(listener);
}

void Recorder::setThumbnailSource(std::function<hls::SharedBytes(const std::string& stream)> source) {
  std::lock_guard lock(impl_->thumbMu);
  impl_->thumbnails = std::move(source);
}

void Recorder::sessionStarted(const std::string& stream) {
  if (!impl_->options.enabled) return;
  impl_->post([this, stream] { impl_->begin(stream); });
}

void Recorder::segment(const hls::SegmentEvent& event) {
  if (!impl_->options.enabled) return;
  const std::size_t bytes = event.data ? event.data->size() : 0;
  const bool held = impl_->isHeld && impl_->isHeld(event.stream);
  std::lock_guard lock(impl_->mu);
  if (!impl_->running) return;
  const auto key = std::make_pair(event.stream, event.rendition.id);
  if (held) {
    impl_->gaps.insert(key);  // held again after the start: a discontinuity where it resumes
    return;
  }
  if (impl_->queuedBytes + bytes > impl_->options.maxQueuedBytes) {
    impl_->gaps.insert(key);
    if (impl_->segmentsDropped) impl_->segmentsDropped->inc();
    logger()->warn("[stream={} rendition={} msn={}] disk behind ({} bytes queued): segment not recorded",
                   event.stream, event.rendition.id, event.sequence, impl_->queuedBytes);
    return;
  }
  const bool gap = impl_->gaps.erase(key) > 0;
  impl_->tasks.push_back({[this, event, gap] { impl_->write(event, gap); }, bytes});
  impl_->queuedBytes += bytes;
  impl_->cv.notify_one();
}

void Recorder::sessionEnded(const std::string& stream) {
  if (!impl_->options.enabled) return;
  impl_->post([this, stream] { impl_->finish(stream); });
}

Result<std::vector<RecordingInfo>> Recorder::list(int limit) const { return impl_->store.list(limit); }
Result<RecordingInfo> Recorder::find(const std::string& id) const { return impl_->store.find(id); }

std::vector<ReplayGrowth> Recorder::takeReplayViews() { return impl_->views.take(); }

Status Recorder::remove(const std::string& id) {
  auto r = impl_->store.find(id);
  if (!r) return r.error();
  if (r->state == "recording" || r->state == "processing")
    return makeError("record.busy", "recording " + id + " is " + r->state);
  if (auto s = impl_->store.remove(id); !s) return s;
  std::error_code ec;
  fs::remove_all(impl_->options.dir + "/" + id, ec);
  logger()->info("[stream={} recording={}] deleted", r->stream, id);
  return {};
}

namespace {

std::string isoTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json publicJson(const RecordingInfo& r) {
  const std::string base = "/vod/" + r.id;
  return {{"id", r.id},
          {"title", r.title},
          {"stream", r.stream},
          {"started_at", isoTime(r.startedAt)},
          {"ended_at", r.endedAt ? nlohmann::json(isoTime(*r.endedAt)) : nlohmann::json(nullptr)},
          {"duration_seconds", std::round(r.durationSeconds * 1000) / 1000},
          {"renditions", r.renditions},
          {"size_bytes", r.sizeBytes},
          {"thumbnail_url", r.hasThumbnail ? nlohmann::json(base + "/thumb.jpg") : nlohmann::json(nullptr)},
          {"master_url", base + "/master.m3u8"},
          {"download_url", r.hasMp4 ? nlohmann::json(base + "/download.mp4") : nlohmann::json(nullptr)}};
}

void runOnWorkers(loop::WorkerPool& workers, http::Responder responder, std::function<http::Response()> fn) {
  if (auto s = workers.submit([responder, fn = std::move(fn)] { responder.send(fn()); }); !s)
    responder.send(http::Response::error(503, s.error().code, "server busy, try again"));
}

}  // namespace

Status Recorder::addRoutes(http::Server& server, loop::WorkerPool& workers, AdminGuard admin) {
  std::error_code ec;
  fs::create_directories(impl_->options.dir, ec);
  http::CorsOptions anyOrigin;
  anyOrigin.allowedOrigins = {"*"};
  http::StaticOptions vod;
  vod.cors = anyOrigin;
  vod.cacheControl = "public, max-age=3600";
  vod.indexFile = "";
  vod.precompressed = false;
  vod.onServed = [this](std::string_view rel, std::string_view peer, std::string_view userAgent) {
    impl_->views.served(rel, peer, userAgent);
  };
  if (auto s = server.mountStatic("/vod", impl_->options.dir, vod); !s)
    return s.error().wrap("record routes");

  http::RouteOptions cors;
  cors.cors = anyOrigin;
  server.routeAsync(
      http::Method::Get, "/api/v1/public/recordings",
      [this, &workers](http::Request req, http::Responder responder) {
        int limit = 50;
        if (auto q = req.queryParam("limit")) limit = std::clamp(std::atoi(std::string(*q).c_str()), 1, 200);
        runOnWorkers(workers, responder, [this, limit] {
          auto rows = impl_->store.list(limit, "ready");
          if (!rows) {
            impl_->fail("list recordings", rows.error());
            return http::Response::error(500, "record.unavailable", "recordings are unavailable");
          }
          nlohmann::json items = nlohmann::json::array();
          for (const auto& r : *rows) items.push_back(publicJson(r));
          return http::Response::json(200, {{"recordings", items}})
              .header("cache-control", "public, max-age=5");
        });
      },
      cors);
  server.routeAsync(
      http::Method::Delete, "/api/v1/recordings/:id",
      [this, &workers, admin](http::Request req, http::Responder responder) {
        if (auto refused = admin(req)) return responder.send(std::move(*refused));
        runOnWorkers(workers, responder, [this, id = std::string(req.param("id"))] {
          if (auto s = remove(id); !s) {
            const auto& e = s.error();
            const int status = e.code == "record.not_found" ? 404 : e.code == "record.busy" ? 409 : 500;
            return http::Response::error(status, e.code, e.message);
          }
          return http::Response::noContent();
        });
      });
  return {};
}

void Recorder::waitIdle() {
  std::unique_lock lock(impl_->mu);
  impl_->idle.wait(lock, [&] { return !impl_->running || (impl_->tasks.empty() && !impl_->busy); });
}

}  // namespace hub::media::record
