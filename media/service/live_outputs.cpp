// media/service/live_outputs.cpp
#include "media/service/live_outputs.h"

#include "media/hls/codec_string.h"

namespace hub::media::service {

hls::RenditionInfo sourceRendition(const std::vector<TrackInfo>& tracks) {
  hls::RenditionInfo info;
  info.id = "source";
  std::int64_t bitrate = 0;
  for (const auto& t : tracks) {
    if (!info.codecs.empty()) info.codecs += ",";
    info.codecs += hls::codecString(t);
    if (isVideo(t.codec)) {
      info.width = t.width;
      info.height = t.height;
      info.frameRate = t.frameRate;
      // Publishers rarely announce a bitrate: guess 0.1 bit per pixel at 30 fps.
      bitrate +=
          t.bitrate > 0 ? t.bitrate : std::max<std::int64_t>(500'000, std::int64_t{t.width} * t.height * 3);
    } else {
      bitrate += t.bitrate > 0 ? t.bitrate : 128'000;
    }
  }
  info.averageBandwidth = bitrate;
  info.bandwidth = bitrate * 5 / 4;
  return info;
}

restream::RestreamOptions restreamOptionsFrom(const config::Restream& c) {
  restream::RestreamOptions o;
  o.maxQueuedBytes = static_cast<std::size_t>(c.maxQueueBytes);
  o.connectTimeout = std::chrono::seconds(c.connectTimeoutSeconds);
  o.sendTimeout = std::chrono::seconds(c.sendTimeoutSeconds);
  o.backoffInitial = std::chrono::milliseconds(c.backoffInitialMs);
  o.backoffMax = std::chrono::milliseconds(std::max(c.backoffMaxMs, c.backoffInitialMs));
  return o;
}

LiveOutputs::LiveOutputs(std::shared_ptr<hls::LiveStream> live, const streams::Stream& stream,
                         const config::Transcode& transcode, const restream::RestreamOptions& restream,
                         const Clock& clock, metrics::Registry* metrics)
    : live_(std::move(live)), settings_(stream) {
  config::Transcode settings = transcode;
  if (!stream.ladder.empty()) {
    settings.ladder.clear();
    for (const auto& r : stream.ladder) settings.ladder.push_back({r.name, r.height, r.bitrate});
  }
  if (!stream.passthroughOnly && !settings.ladder.empty()) {
    ladder_ = settings.ladder;
    auto liveStream = live_;
    transcoder_ = std::make_unique<pipeline::Transcoder>(
        stream.name, settings,
        [liveStream](const hls::RenditionInfo& info) -> FrameSink& { return liveStream->rendition(info); },
        metrics);
  }
  thumbnailer_ = std::make_unique<pipeline::Thumbnailer>(stream.name, settings, clock);
  for (const auto& url : stream.restreamTargets)
    restreamers_.push_back(
        std::make_unique<restream::Restreamer>(stream.name, url, restream, clock, metrics));
}

LiveOutputs::~LiveOutputs() = default;

bool LiveOutputs::sameSettings(const streams::Stream& s) const {
  return s.passthroughOnly == settings_.passthroughOnly && s.ladder == settings_.ladder &&
         s.restreamTargets == settings_.restreamTargets;
}

void LiveOutputs::tracks(const std::vector<TrackInfo>& tracks) {
  // The master playlist waits for these (players read it once): the source and the rungs the
  // transcoder makes for this source's height.
  std::vector<std::string> expected{"source"};
  if (transcoder_)
    for (const auto& t : tracks)
      if (isVideo(t.codec))
        for (const auto& rung : pipeline::rungsFor(ladder_, t.height)) expected.push_back(rung.id);
  live_->expectRenditions(std::move(expected));
  source_ = &live_->rendition(sourceRendition(tracks));
  source_->tracks(tracks);
  if (transcoder_) transcoder_->tracks(tracks);
  thumbnailer_->tracks(tracks);
  for (auto& r : restreamers_) r->tracks(tracks);
}

void LiveOutputs::frame(const Frame& frame) {
  if (source_) source_->frame(frame);
  if (transcoder_) transcoder_->frame(frame);
  thumbnailer_->frame(frame);
  for (auto& r : restreamers_) r->frame(frame);
}

void LiveOutputs::discontinuity() {
  // The live session marks its renditions itself (LiveStream::publisherBack).
  if (transcoder_) transcoder_->discontinuity();
  thumbnailer_->discontinuity();
  for (auto& r : restreamers_) r->discontinuity();
}

void LiveOutputs::end() {
  if (transcoder_) transcoder_->end();
  thumbnailer_->end();
  for (auto& r : restreamers_) r->end();
}

hls::SharedBytes LiveOutputs::thumbnail(bool viewer) const {
  return viewer ? thumbnailer_->serve() : thumbnailer_->latest();
}

void LiveOutputs::addStatus(nlohmann::json& status) const {
  status["viewers"] = live_->viewers();
  auto renditions = nlohmann::json::array();
  for (const auto& r : live_->status())
    renditions.push_back({{"id", r.info.id},
                          {"width", r.info.width},
                          {"height", r.info.height},
                          {"codecs", r.info.codecs},
                          {"segments", r.segments},
                          {"last_msn", r.lastMsn},
                          {"bitrate", static_cast<std::int64_t>(r.bitsPerSecond)},
                          {"state", live_->ended() ? "ended" : (live_->publishing() ? "live" : "waiting")}});
  status["renditions"] = renditions;
  status["expected_renditions"] = live_->expectedRenditions();
  if (transcoder_) {
    auto t = transcoder_->status();
    status["transcoder"] = {{"state", pipeline::stateName(t.state)},
                            {"message", t.message},
                            {"rungs", t.rungs},
                            {"frames_in", t.framesIn},
                            {"frames_out", t.framesOut},
                            {"dropped_frames", t.droppedFrames}};
  } else {
    status["transcoder"] = {{"state", "off"}, {"message", "passthrough only"}};
  }
  auto targets = nlohmann::json::array();
  for (const auto& r : restreamers_) {
    auto s = r->status();
    targets.push_back({{"target", s.target},
                       {"state", restream::targetStateName(s.state)},
                       {"last_error", s.lastError},
                       {"bytes_sent", s.bytesSent},
                       {"frames_sent", s.framesSent},
                       {"frames_dropped", s.framesDropped},
                       {"connects", s.connects},
                       {"failures", s.failures}});
  }
  status["restream"] = targets;
}

}  // namespace hub::media::service
