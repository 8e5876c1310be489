// media/hls/live_stream.h
//
// One live session of one stream: its renditions (each a FrameSink the ingest or the pipeline
// writes into, with its own segment store), the publisher's presence (a publisher that leaves
// starts a grace period; one that comes back within it continues the same playlists with a
// discontinuity) and who is watching (distinct playback sessions seen in the last 30 s).
// Thread-safe: renditions are written by ingest/GStreamer threads and read by HTTP threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/responder.h"
#include "core/util/clock.h"
#include "media/frames/frame.h"
#include "media/hls/live_options.h"
#include "media/hls/playback_sessions.h"
#include "media/hls/segment_listener.h"

namespace hub::media::hls {

class Rendition;
class ListenerSet;
struct HlsMetrics;

class LiveStream {
 public:
  LiveStream(std::string name, const LiveOptions& options, const Clock& clock, ListenerSet& listeners,
             HlsMetrics& metrics);
  ~LiveStream();
  LiveStream(const LiveStream&) = delete;
  LiveStream& operator=(const LiveStream&) = delete;

  const std::string& name() const { return name_; }

  // The sink of one rendition ("source" first, then the ladder's rungs). Asking again for an
  // id that exists returns the same sink (a publisher that came back), with `info` updated.
  FrameSink& rendition(const RenditionInfo& info);
  // The publisher left: the grace period starts. After it, every playlist gets ENDLIST and the
  // listeners hear sessionEnded.
  void publisherGone();
  // A publisher (the same or a new one) is back within the grace period: the next frames of
  // every rendition start a new segment with EXT-X-DISCONTINUITY.
  void publisherBack();
  // Ends the session now (stream deleted, shutdown): ENDLIST, sessionEnded.
  void endNow();

  // EXT-X-PROGRAM-DATE-TIME for media time `mediaUs` (the publisher's timeline) in publisher
  // epoch `epoch`: one anchor per stream and epoch, set by the first frame any rendition dates
  // (normally the source's, stamped by ingest), so a transcoded rung that reaches the packager
  // seconds later still lists the same date for the same media time. `ingestWall` zero: zero.
  std::chrono::system_clock::time_point programDateTime(int epoch, std::int64_t mediaUs,
                                                        std::chrono::system_clock::time_point ingestWall);
  // Publishers so far minus one: publisherBack() starts a new epoch (timestamps restart).
  int epoch() const { return epoch_.load(std::memory_order_acquire); }

  bool ended() const;
  bool publishing() const;
  std::optional<Clock::Steady> endedAt() const;

  // Playback sessions (playback_sessions.h): `key` identifies one player (client address +
  // user agent).
  void sawViewer(std::string_view key);
  int viewers() const;  // distinct keys seen in the last 30 s
  PlaybackTotals playbackTotals() const { return playback_.totals(); }
  // Plays and watch time added since the previous call, for the media service to store.
  PlaybackTotals takePlayback() { return playback_.take(); }
  // When this session began (wall clock).
  Clock::Wall startedAt() const { return startedAt_; }

  struct RenditionStatus {
    RenditionInfo info;
    std::int64_t lastMsn = -1;  // -1: nothing cut yet
    int lastPart = -1;
    std::int64_t segments = 0;  // cut since the session began
    double bitsPerSecond = 0;   // measured over the window
  };
  std::vector<RenditionStatus> status() const;

  // The master playlist text; empty until some rendition has a part.
  std::string masterPlaylist() const;
  // The renditions this session will have ("source" and the ladder's rungs for the source's
  // height), set when the publisher's tracks are known; replaces the previous list.
  void expectRenditions(std::vector<std::string> ids);
  std::vector<std::string> expectedRenditions() const;
  // GET master.m3u8: answered at once when every expected rendition has a part (or the session
  // ended, or its publisher is gone); otherwise parked until they all do or `masterWait`
  // passes, then answered with what exists (404 when nothing does). `viewer` counts the player
  // (sawViewer) when answered 200.
  void serveMaster(std::string viewer, http::Responder responder);
  // A rendition stored something: answers parked master requests if they can be now.
  void renditionChanged() {
    if (masterParked_.load(std::memory_order_acquire) > 0) answerMasters(clock_.steady(), false);
  }
  // Names this session's media files ("<tag>-12.3.m4s"), so a CDN never mixes two sessions.
  const std::string& sessionTag() const { return tag_; }

  // Used by the routes, the renditions and the registry's timer.
  Rendition* find(std::string_view id) const;
  std::vector<Rendition*> renditions() const;  // in the order they were added
  void tick();                                 // timeouts, grace period
  void releaseWaiters();                       // shutdown: parked requests get 503
  std::uint64_t changes() const { return changes_.load(std::memory_order_acquire); }
  void changed() { changes_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  void finish();  // ENDLIST everywhere, once
  bool masterReady() const;
  http::Response masterResponse();
  // Answers the parked master requests that are due: all when ready (or `all`), else those
  // whose deadline passed. Call with no lock held.
  void answerMasters(Clock::Steady now, bool all);

  struct MasterWaiter {
    std::string viewer;
    http::Responder responder;
    Clock::Steady deadline;
  };

  const std::string name_;
  const LiveOptions options_;
  const Clock& clock_;
  ListenerSet& listeners_;
  HlsMetrics& metrics_;
  const std::string tag_;
  std::atomic<std::uint64_t> changes_{0};
  std::atomic<int> epoch_{0};
  struct Anchor {
    std::int64_t mediaUs = 0;
    std::chrono::system_clock::time_point wall;
  };
  std::mutex anchorMu_;  // a leaf lock: renditions call programDateTime() under their own
  std::map<int, Anchor> anchors_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Rendition>> renditions_;
  bool publishing_ = true;
  bool ended_ = false;
  Clock::Steady goneAt_{};
  Clock::Steady endedAt_{};
  const Clock::Wall startedAt_;
  mutable PlaybackSessions playback_;
  std::vector<std::string> expected_;  // under mu_
  std::mutex masterMu_;                // a leaf lock: only the parked list
  std::vector<MasterWaiter> masterWaiters_;
  std::atomic<int> masterParked_{0};
};

}  // namespace hub::media::hls
