// media/service/media_service.h
//
// The media service as the composition root sees it (core/service): owns the streams (SQL,
// migrations component "media"), the RTMP ingest server, and one StreamSession per stream
// that has had a publisher, which fans frames out to the stream's consumers. Keeps an in-memory
// directory of stream keys for the ingest thread (reloaded when "media.streams" changes, also
// when the CLI wrote it), announces created/deleted streams, publishers arriving and leaving
// (live/ended) and finished recordings (recorded) on the bus topic "media.streams", answers
// core's Streams requests from other services (StreamsResponder), lists upcoming schedules,
// serves /api/v1/streams and /api/v1/public/streams, and samples live status into SQL. It also
// owns the LL-HLS registry (/live/...) and the recorder (/vod/..., recordings), and wires each
// publisher to them through LiveOutputs (source rendition, ladder, thumbnails, restream), and
// runs the demo channel's built-in publisher unless `[media] demo` is off (HUB_DEMO=0).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/service/service.h"
#include "media/hls/live_registry.h"
#include "media/pipeline/demo_publisher.h"
#include "media/record/recorder.h"
#include "media/rtmp/ingest_server.h"
#include "media/service/stream_session.h"
#include "media/service/streams_responder.h"
#include "media/streams/stream_store.h"

namespace hub::media::service {

inline constexpr const char* kBusTopic = "media.streams";
// The demo channel's stream ([media] demo): created when missing, fed by a DemoPublisher.
inline constexpr const char* kDemoStream = "demo";

class MediaService final : public hub::service::Service, private rtmp::IngestHost {
 public:
  MediaService();
  ~MediaService() override;

  std::string_view name() const override { return "media"; }
  std::vector<sql::Migration> migrations() const override;
  Status start(hub::service::Context& context) override;
  void stop() override;

  // Any thread. Null when the stream never had a publisher in this process.
  std::shared_ptr<StreamSession> session(const std::string& stream) const;
  std::vector<std::shared_ptr<StreamSession>> sessions() const;
  // Blocking (SQL): re-reads the streams, announces what appeared or went, disconnects
  // publishers whose stream was deleted or whose key changed.
  Status reload();
  std::string publishUrl(const streams::Stream& s) const;
  std::string playbackUrl(const std::string& name) const;
  streams::StreamStore& store() { return *store_; }
  int rtmpPort() const { return ingest_ ? ingest_->port() : 0; }

 private:
  // rtmp::IngestHost, on the ingest thread.
  Result<std::string> resolveKey(std::string_view key) override;
  FrameSink& publishStarted(const std::string& stream, const rtmp::PublisherInfo& info,
                            bool takeover) override;
  void publishEnded(const std::string& stream) override;
  void framesDropped(const std::string& stream, std::uint64_t n) override;

  // Blocking (SQL): stores a batch of playback growth, replays' with their recording's stream.
  void storePlayback(std::vector<streams::PlaybackRow> rows);
  // Health samples of live streams and the batch of playback growth (both stored on a worker).
  void sampleHealth();
  std::vector<streams::PlaybackRow> takePlayback();
  // Publishes {"event": event, "name": stream, ...extra} on kBusTopic (live, ended, recorded).
  void announce(const char* event, const std::string& stream,
                nlohmann::json extra = nlohmann::json::object());
  // Creates the stream "demo" (passthrough only) when missing and starts its publisher.
  Status startDemo();
  // Held streams (streams::Stream::held) play only for a token that is moderator or above in
  // the stream's room, sent as `X-Hub-Preview` (or `?preview=`); anyone else gets 403
  // stream.held. Loop threads.
  bool held(std::string_view stream) const;
  std::optional<http::Response> gate(const http::Request& req, std::string_view stream) const;
  // `viewer`: for /live/<name>/thumb.jpg (keeps thumbnails at the fast interval).
  hls::SharedBytes thumbnail(const std::string& stream, bool viewer) const;
  void addRoutes(hub::service::Context& context);

  std::unique_ptr<streams::StreamStore> store_;
  std::unique_ptr<hls::LiveRegistry> live_;
  std::unique_ptr<record::Recorder> recorder_;
  std::unique_ptr<rtmp::IngestServer> ingest_;
  std::unique_ptr<pipeline::DemoPublisher> demo_;
  std::unique_ptr<StreamsResponder> responder_;
  hub::service::Context* context_ = nullptr;
  std::string rtmpPublicUrl_, httpPublicUrl_;

  mutable std::mutex directoryMu_;
  std::map<std::string, streams::Stream> byName_;
  std::atomic<bool> anyHeld_{false};
  std::map<std::string, std::string, std::less<>> nameByKey_;
  std::map<std::string, streams::Schedule> schedules_;  // upcoming (the CMS's live events)
  std::mutex reloadMu_;  // one reload at a time, so announcements follow the order of changes
  bool loadedOnce_ = false;
  std::int64_t healthRounds_ = 0;

  mutable std::mutex sessionsMu_;
  std::map<std::string, std::shared_ptr<StreamSession>> sessions_;

  std::mutex healthMu_;
  std::condition_variable healthWake_;
  bool stopping_ = false;
  std::thread health_;
};

}  // namespace hub::media::service
