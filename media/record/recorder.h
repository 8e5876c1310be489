// media/record/recorder.h
//
// Records every rendition of every live session to disk and turns it into a replay. As the
// packager reports segments (hls::SegmentListener), their bytes go to
// `<dir>/<recording-id>/<rendition>/` on the recorder's own worker thread (the packager never
// waits for a disk); a row in `recordings` (migrations component "media.record") follows the
// session. When the session ends the recorder writes VOD playlists (EXT-X-PLAYLIST-TYPE:VOD,
// EXT-X-MAP, discontinuities kept, EXT-X-ENDLIST), a master with the same renditions, a JPEG
// thumbnail (from the live thumbnail hook) and an MP4 export of the source rendition (a
// libavformat remux of its fMP4 init + segments into a faststart MP4). Recordings a killed hub
// left open are finalized by start(). Routes: `/vod/<id>/...` (files, Range/ETag by core's
// static mount, which also counts replay plays), `GET /api/v1/public/recordings`,
// `DELETE /api/v1/recordings/<id>` (admin).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/util/clock.h"
#include "core/util/result.h"
#include "media/hls/segment_listener.h"
#include "media/record/replay_views.h"

namespace hub::http {
class Server;
class Request;
class Response;
}  // namespace hub::http
namespace hub::loop {
class WorkerPool;
}
namespace hub::sql {
class Database;
struct Migration;
}  // namespace hub::sql
namespace hub::metrics {
class Registry;
}

namespace hub::media::record {

struct RecorderOptions {
  std::string dir;  // where recordings live: "<data dir>/recordings"
  bool enabled = true;
  bool exportMp4 = true;
  std::size_t maxQueuedBytes = 256 << 20;  // segments waiting for the disk; over it: dropped, logged
  // How often the live thumbnail is copied while recording (and once more at the end).
  std::chrono::milliseconds thumbnailInterval{10000};
};

// The admin check of the delete route: nullopt lets the request through, otherwise the refusal
// to send (the media service passes http::checkBearer with `[admin] token`).
using AdminGuard = std::function<std::optional<http::Response>(const http::Request&)>;

struct RecordingInfo {
  std::string id;
  std::string stream;
  std::string state;  // "recording", "processing", "ready", "failed"
  std::string title;  // the stream's name for now: streams carry no title yet
  std::chrono::system_clock::time_point startedAt;
  std::optional<std::chrono::system_clock::time_point> endedAt;
  double durationSeconds = 0;           // of the source (or first) rendition
  std::vector<std::string> renditions;  // ids, master order
  std::int64_t sizeBytes = 0;           // on disk
  bool hasThumbnail = false;
  bool hasMp4 = false;
};

class Recorder final : public hls::SegmentListener {
 public:
  // `metrics` may be null. Nothing happens before start().
  Recorder(RecorderOptions options, sql::Database& db, const Clock& clock,
           metrics::Registry* metrics = nullptr);
  ~Recorder() override;  // stop()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Component "media.record".
  static std::vector<sql::Migration> migrations();

  // Creates the directory, finalizes recordings left open by a crash (blocking: call it at
  // start-up, off any event loop), starts the worker. Error "record.dir" when the directory
  // cannot be made.
  Status start();
  // Finishes the queued work (playlists of ended sessions, exports), then stops the worker.
  void stop();

  // `/vod/*` (static mount of the directory: Range, ETag, CORS for any origin),
  // `GET /api/v1/public/recordings` (ready ones, newest first; `?limit=`), and
  // `DELETE /api/v1/recordings/:id` behind `admin`. SQL runs on `workers`. After start().
  Status addRoutes(http::Server& server, loop::WorkerPool& workers, AdminGuard admin);

  // Where a recording's thumbnail comes from: the live thumbnail of the stream (JPEG bytes, or
  // null when there is none yet). Asked on the worker while recording and at the session's end.
  void setThumbnailSource(std::function<hls::SharedBytes(const std::string& stream)> source);

  // Whether a stream is held for a rehearsal (the media service's check): its segments are not
  // recorded, so the replay starts at the broadcast's start. Set it before the first segment.
  void setHeldCheck(std::function<bool(const std::string& stream)> isHeld);

  // Called on the recorder's worker once a recording is "ready" or "failed" (also for one a
  // crash left open). Set it before start().
  void setFinishedListener(std::function<void(const RecordingInfo&)> listener);

  // hls::SegmentListener: cheap, never block (they queue work for the worker).
  void sessionStarted(const std::string& stream) override;
  void segment(const hls::SegmentEvent& event) override;
  void sessionEnded(const std::string& stream) override;

  // Blocking (SQL): for routes (through a worker), the CLI and tests. Newest first.
  Result<std::vector<RecordingInfo>> list(int limit = 100) const;
  Result<RecordingInfo> find(const std::string& id) const;
  // Deletes the row and the files. Error "record.not_found"; "record.busy" while recording.
  Status remove(const std::string& id);

  // Plays and watch time of the replays since the previous call (replay_views.h): every
  // `/vod/<id>/` file of a player's path that was served counts as a sighting of its player.
  std::vector<ReplayGrowth> takeReplayViews();

  // Blocks until the worker has done everything queued so far (tests, shutdown).
  void waitIdle();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::record
