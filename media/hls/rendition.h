// media/hls/rendition.h
//
// One rendition of a live stream: the FrameSink its frames are written into (ingest thread for
// "source", GStreamer threads for the ladder), the Segmenter that cuts them, and the in-memory
// store of its init segments, parts and segments (a sliding window), under its own lock. HTTP
// threads read from it: playlists (blocking reload and delta updates) and media files. Parked
// requests are answered from the writer's thread the moment the part they wait for appears.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.h"
#include "core/http/responder.h"
#include "core/util/clock.h"
#include "media/hls/hls_metrics.h"
#include "media/hls/live_stream.h"
#include "media/hls/playlist_writer.h"
#include "media/hls/segmenter.h"

namespace hub::media::hls {

class ListenerSet;

class Rendition final : public FrameSink, private SegmenterOutput {
 public:
  Rendition(std::string stream, RenditionInfo info, std::string sessionTag, const LiveOptions& options,
            const Clock& clock, ListenerSet& listeners, HlsMetrics& metrics, LiveStream& owner);
  ~Rendition() override;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;  // flushes the open part and segment; the session ends in LiveStream

  const std::string& id() const { return id_; }
  void setInfo(const RenditionInfo& info);
  void finish();                 // ENDLIST; parked requests answered
  void tick(Clock::Steady now);  // parked requests past their deadline get 503
  void releaseWaiters() { tick(Clock::Steady::max()); }

  // GET index.m3u8 with _HLS_msn / _HLS_part / _HLS_skip.
  void servePlaylist(const http::Request& request, http::Responder responder);
  // GET <tag>-init<v>.mp4, <tag>-<msn>.m4s, <tag>-<msn>.<part>.m4s (parts not yet cut wait).
  void serveFile(std::string_view file, http::Responder responder);

  std::optional<MasterEntry> masterEntry() const;  // empty until a part exists
  LiveStream::RenditionStatus status() const;
  std::int64_t lastMsn() const { return lastMsn_.load(std::memory_order_acquire); }
  int lastPart() const { return lastPart_.load(std::memory_order_acquire); }

 private:
  struct StoredSegment {
    std::int64_t msn = 0;
    std::vector<CutPart> parts;
    SharedBytes data;  // all parts, once complete (null for a gap)
    double duration = 0;
    bool discontinuity = false;
    int initVersion = 0;
    std::chrono::system_clock::time_point programDateTime{};
    bool gap = false;  // EXT-X-GAP: no media of this rendition for `duration`
  };
  struct Waiter {
    bool playlist = true;  // false: a part file
    std::int64_t msn = 0;
    int part = -1;
    bool skip = false;
    http::Responder responder;
    Clock::Steady deadline;
  };
  using Delivery = std::vector<std::pair<http::Responder, http::Response>>;

  void initChanged(int version, SharedBytes init, const std::vector<TrackInfo>& tracks) override;
  void partCut(CutPart part) override;
  void segmentClosed() override;
  void gap(double seconds) override;

  // All below: with mu_ held.
  bool playlistReady(std::int64_t msn, int part) const;
  const CutPart* findPart(std::int64_t msn, int part) const;
  bool partMayCome(std::int64_t msn, int part) const;
  SharedBytes playlistText(bool skip);
  http::Response playlistResponse(bool skip, bool blocking);
  http::Response partResponse(const CutPart& part) const;
  void wake(Delivery& out);
  void afterWrite(Delivery& out, std::vector<SegmentEvent>& events);
  int targetDuration() const;
  std::string uri(std::int64_t msn, int part) const;
  std::string initUri(int version) const;

  const std::string stream_;
  const std::string id_;
  const std::string tag_;
  const LiveOptions options_;
  const Clock& clock_;
  ListenerSet& listeners_;
  HlsMetrics& metrics_;
  LiveStream& owner_;

  mutable std::mutex mu_;
  RenditionInfo info_;
  Segmenter segmenter_;
  std::map<int, SharedBytes> inits_;
  std::vector<TrackInfo> tracks_;
  std::deque<StoredSegment> segments_;  // complete, oldest first
  std::optional<StoredSegment> open_;   // being cut
  std::int64_t nextMsn_ = 0;
  std::int64_t discontinuitySequence_ = 0;
  int epoch_ = 0;  // the stream's publisher epoch these frames belong to (programDateTime)
  int maxSegmentSeconds_ = 0;
  bool ended_ = false;
  std::vector<Waiter> waiters_;
  std::vector<SegmentEvent> pendingEvents_;
  std::uint64_t cacheVersion_ = ~0ull;
  SharedBytes cachePlain_, cacheSkip_;
  std::int64_t segmentsCut_ = 0;
  std::uint64_t localChanges_ = 0;  // parts, segments, inits stored
  std::atomic<std::int64_t> lastMsn_{-1};
  std::atomic<int> lastPart_{-1};
};

}  // namespace hub::media::hls
