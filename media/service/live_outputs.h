// media/service/live_outputs.h
//
// Where one publisher's frames go: the HLS "source" rendition of the stream's live session
// (hls::LiveStream), the transcoding ladder (unless the stream is passthrough only), the live
// thumbnailer and one restreamer per target. Built by the media service when a publisher
// arrives, on the ingest thread; a publisher that resumes the same live session keeps them.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/util/clock.h"
#include "media/frames/frame.h"
#include "media/hls/live_stream.h"
#include "media/pipeline/thumbnailer.h"
#include "media/pipeline/transcoder.h"
#include "media/restream/restreamer.h"
#include "media/streams/stream_store.h"

namespace hub::metrics {
class Registry;
}

namespace hub::media::service {

class LiveOutputs final : public FrameSink {
 public:
  LiveOutputs(std::shared_ptr<hls::LiveStream> live, const streams::Stream& stream,
              const config::Transcode& transcode, const restream::RestreamOptions& restream,
              const Clock& clock, metrics::Registry* metrics);
  ~LiveOutputs() override;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  const std::shared_ptr<hls::LiveStream>& live() const { return live_; }
  // The settings these outputs were built from; a publisher arriving with other settings
  // gets new outputs.
  bool sameSettings(const streams::Stream& s) const;
  // The live thumbnail; `viewer`: asked for by a client of thumb.jpg (keeps it fresh).
  hls::SharedBytes thumbnail(bool viewer) const;
  // Adds "viewers", "renditions", "expected_renditions" (the ids the master will list),
  // "transcoder", "restream" to a status object. Any thread.
  void addStatus(nlohmann::json& status) const;

 private:
  std::shared_ptr<hls::LiveStream> live_;
  streams::Stream settings_;
  FrameSink* source_ = nullptr;                // the live session's "source" rendition, once tracks are known
  std::vector<config::TranscodeRung> ladder_;  // what the transcoder makes (empty: none)
  std::unique_ptr<pipeline::Transcoder> transcoder_;
  std::unique_ptr<pipeline::Thumbnailer> thumbnailer_;
  std::vector<std::unique_ptr<restream::Restreamer>> restreamers_;
};

// The [restream] section as options (the longest backoff is never below the first).
restream::RestreamOptions restreamOptionsFrom(const config::Restream& c);

// The "source" rendition as a master playlist lists it, from the publisher's tracks.
hls::RenditionInfo sourceRendition(const std::vector<TrackInfo>& tracks);

}  // namespace hub::media::service
