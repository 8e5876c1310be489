// media/service/stream_session.cpp
#include "media/service/stream_session.h"

namespace hub::media::service {
namespace {

std::string isoTime(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

StreamSession::StreamSession(std::string name, const Clock& clock) : name_(std::move(name)), clock_(clock) {}

void StreamSession::addConsumer(FrameSink* consumer) { consumers_.push_back(consumer); }

void StreamSession::addStatusSource(std::function<void(nlohmann::json&)> source) {
  statusSources_.push_back(std::move(source));
}

void StreamSession::setOutputs(std::shared_ptr<LiveOutputs> outputs) {
  out_ = outputs.get();
  std::lock_guard lock(mu_);
  outputs_ = std::move(outputs);
}

std::shared_ptr<LiveOutputs> StreamSession::outputs() const {
  std::lock_guard lock(mu_);
  return outputs_;
}

void StreamSession::publisherArrived(const Publisher& publisher, bool takeover) {
  bool resumed = false;
  {
    std::lock_guard lock(mu_);
    resumed = publishes_ > 0;
    publisher_ = publisher;
    since_ = clock_.wall();
    ++publishes_;
    if (takeover) ++takeovers_;
    tracks_.clear();
    samples_.clear();
    lastKeyDtsUs_.reset();
    keyFrameInterval_ = 0;
  }
  // Timestamps restart with every publisher: consumers must not see them as one timeline.
  if (resumed) needDiscontinuity_ = true;
}

void StreamSession::publisherLeft() {
  std::lock_guard lock(mu_);
  publisher_.reset();
}

void StreamSession::framesDropped(std::uint64_t n) {
  std::lock_guard lock(mu_);
  dropped_ += n;
}

void StreamSession::close() { end(); }

void StreamSession::tracks(const std::vector<TrackInfo>& tracks) {
  if (needDiscontinuity_) discontinuity();
  {
    std::lock_guard lock(mu_);
    tracks_ = tracks;
  }
  audio_.tracks(tracks);
}

void StreamSession::frame(const Frame& frame) {
  if (needDiscontinuity_) discontinuity();
  {
    std::lock_guard lock(mu_);
    auto now = clock_.steady();
    samples_.push_back({now, frame.data.size, isVideo(frame.codec)});
    trimLocked(now);
    if (isVideo(frame.codec)) {
      ++videoFrames_;
      if (frame.keyFrame) {
        if (lastKeyDtsUs_) keyFrameInterval_ = static_cast<double>(frame.dtsUs - *lastKeyDtsUs_) / 1e6;
        lastKeyDtsUs_ = frame.dtsUs;
      }
    } else {
      ++audioFrames_;
    }
  }
  audio_.frame(frame);
}

void StreamSession::discontinuity() {
  needDiscontinuity_ = false;
  audio_.discontinuity();
}

void StreamSession::end() {
  if (ended_) return;
  ended_ = true;
  audio_.end();
}

void StreamSession::Fanout::tracks(const std::vector<TrackInfo>& tracks) {
  for (auto* c : s_.consumers_) c->tracks(tracks);
  if (s_.out_) s_.out_->tracks(tracks);
}

void StreamSession::Fanout::frame(const Frame& frame) {
  for (auto* c : s_.consumers_) c->frame(frame);
  if (s_.out_) s_.out_->frame(frame);
}

void StreamSession::Fanout::discontinuity() {
  for (auto* c : s_.consumers_) c->discontinuity();
  if (s_.out_) s_.out_->discontinuity();
}

void StreamSession::Fanout::end() {
  for (auto* c : s_.consumers_) c->end();
  if (s_.out_) s_.out_->end();
}

bool StreamSession::live() const {
  std::lock_guard lock(mu_);
  return publisher_.has_value();
}

void StreamSession::trimLocked(Clock::Steady now) const {
  while (!samples_.empty() && now - samples_.front().at > kRateWindow) samples_.pop_front();
}

double StreamSession::fpsLocked(Clock::Steady now) const {
  trimLocked(now);
  std::size_t n = 0;
  for (const auto& s : samples_) n += s.video ? 1 : 0;
  if (n < 2) return 0;
  Clock::Steady first{};
  for (const auto& s : samples_)
    if (s.video) {
      first = s.at;
      break;
    }
  double span = std::chrono::duration<double>(now - first).count();
  return span > 0.2 ? static_cast<double>(n - 1) / span : 0;
}

std::int64_t StreamSession::bitrateLocked(Clock::Steady now) const {
  trimLocked(now);
  if (samples_.size() < 2) return 0;
  std::size_t bytes = 0;
  for (const auto& s : samples_) bytes += s.bytes;
  double span = std::chrono::duration<double>(now - samples_.front().at).count();
  return span > 0.2 ? static_cast<std::int64_t>(static_cast<double>(bytes) * 8 / span) : 0;
}

nlohmann::json StreamSession::status() const {
  nlohmann::json j;
  {
    std::lock_guard lock(mu_);
    auto now = clock_.steady();
    j["live"] = publisher_.has_value();
    if (publisher_)
      j["publisher"] = {{"address", publisher_->address},
                        {"connection_id", publisher_->connectionId},
                        {"since", isoTime(since_)}};
    else
      j["publisher"] = nullptr;
    j["video"] = nullptr;
    j["audio"] = nullptr;
    for (const auto& t : tracks_) {
      if (isVideo(t.codec)) {
        j["video"] = {{"codec", codecName(t.codec)},
                      {"width", t.width},
                      {"height", t.height},
                      {"fps", publisher_ ? fpsLocked(now) : 0.0},
                      {"keyframe_interval_seconds", keyFrameInterval_}};
      } else {
        j["audio"] = {{"codec", codecName(t.codec)}, {"sample_rate", t.sampleRate}, {"channels", t.channels}};
      }
    }
    j["bitrate_in"] = publisher_ ? bitrateLocked(now) : 0;
    j["frames"] = {{"video", videoFrames_}, {"audio", audioFrames_}};
    j["dropped_frames"] = dropped_;
    j["publishes"] = publishes_;
    j["takeovers"] = takeovers_;
    j["viewers"] = 0;
    j["renditions"] = nlohmann::json::array();
  }
  if (auto o = outputs()) o->addStatus(j);
  for (const auto& source : statusSources_) source(j);
  return j;
}

streams::HealthSample StreamSession::sample() const {
  auto j = status();
  streams::HealthSample s;
  s.stream = name_;
  s.at = clock_.wall();
  s.live = j["live"].get<bool>();
  s.bitrateIn = j["bitrate_in"].get<std::int64_t>();
  if (j["video"].is_object()) {
    s.fps = j["video"]["fps"].get<double>();
    s.width = j["video"]["width"].get<int>();
    s.height = j["video"]["height"].get<int>();
  }
  s.viewers = j["viewers"].get<std::int64_t>();
  s.droppedFrames = j["dropped_frames"].get<std::int64_t>();
  s.details = j.dump();
  return s;
}

}  // namespace hub::media::service
