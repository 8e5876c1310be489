// media/pipeline/thumbnailer.cpp
//
// Live thumbnails (see thumbnailer.h). The caller's thread only picks a key frame when one is
// due and hands it over; the worker turns it into a JPEG with its KeyFrameJpeg (decoder and
// encoder kept across thumbnails) and keeps the result.
#include "media/pipeline/thumbnailer.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "media/pipeline/key_frame_jpeg.h"

namespace hub::media::pipeline {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.pipeline");
  return log;
}

struct Job {
  TrackInfo track;
  Frame frame;
};

constexpr std::int64_t kNeverAsked = INT64_MIN;

}  // namespace

class Thumbnailer::Impl {
 public:
  Impl(std::string stream, const config::Transcode& settings, const Clock& clock)
      : stream_(std::move(stream)),
        interval_(std::chrono::seconds(settings.thumbnailIntervalSeconds)),
        idleInterval_(std::chrono::seconds(
            std::max(settings.thumbnailIntervalSeconds, settings.thumbnailIdleIntervalSeconds))),
        width_(settings.thumbnailWidth / 2 * 2),
        clock_(clock) {
    worker_ = hub::loop::namedThread("hub-thumbnails", [this] { run(); });
  }
  ~Impl() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  void tracks(const std::vector<TrackInfo>& tracks) {
    video_.reset();
    for (const auto& t : tracks)
      if (isVideo(t.codec)) video_ = t;
  }

  void frame(const Frame& f) {
    if (!isVideo(f.codec) || !f.keyFrame || !video_) return;
    auto now = clock_.steady();
    // Until a first thumbnail exists, and while viewers ask, the fast interval applies.
    bool fast = made_.load() == 0 || askedRecently(now);
    if (last_ && now - *last_ < (fast ? interval_ : idleInterval_)) return;
    std::lock_guard lock(mu_);
    if (job_) return;  // the worker is still busy with the previous one: take the next
    job_ = Job{*video_, f};
    last_ = now;
    cv_.notify_one();
  }

  void discontinuity() { last_.reset(); }

  hls::SharedBytes latest() const {
    std::lock_guard lock(mu_);
    return latest_;
  }
  hls::SharedBytes serve() const {
    askedNs_.store(clock_.steady().time_since_epoch().count());
    return latest();
  }
  std::uint64_t made() const { return made_.load(); }
  std::uint64_t failed() const { return failed_.load(); }

 private:
  bool askedRecently(Clock::Steady now) const {
    auto asked = askedNs_.load();
    if (asked == kNeverAsked) return false;
    return now - Clock::Steady(Clock::Steady::duration(asked)) <= idleInterval_;
  }

  void run() {
    KeyFrameJpeg jpegs;
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      Job job = *job_;
      lock.unlock();
      auto jpeg = jpegs.encode(job.track, job.frame, width_);
      lock.lock();
      job_.reset();
      if (jpeg) {
        latest_ = std::make_shared<const std::string>(std::move(*jpeg));
        made_++;
      } else {
        failed_++;
        logger()->warn("[stream={}] thumbnail failed ({}): {}", stream_, jpeg.error().code,
                       jpeg.error().message);
      }
    }
  }

  std::string stream_;
  std::chrono::steady_clock::duration interval_, idleInterval_;
  int width_;
  const Clock& clock_;
  // Caller's thread.
  std::optional<TrackInfo> video_;
  std::optional<Clock::Steady> last_;
  // Any thread: when thumb.jpg was last asked for (steady clock ticks).
  mutable std::atomic<std::int64_t> askedNs_{kNeverAsked};
  // Shared with the worker.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> job_;
  bool stop_ = false;
  hls::SharedBytes latest_;
  std::atomic<std::uint64_t> made_{0}, failed_{0};
  std::thread worker_;
};

Thumbnailer::Thumbnailer(std::string stream, const config::Transcode& settings, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(stream), settings, clock)) {}
Thumbnailer::~Thumbnailer() = default;
void Thumbnailer::tracks(const std::vector<TrackInfo>& tracks) { impl_->tracks(tracks); }
void Thumbnailer::frame(const Frame& frame) { impl_->frame(frame); }
void Thumbnailer::discontinuity() { impl_->discontinuity(); }
void Thumbnailer::end() {}
hls::SharedBytes Thumbnailer::latest() const { return impl_->latest(); }
hls::SharedBytes Thumbnailer::serve() const { return impl_->serve(); }
std::uint64_t Thumbnailer::made() const { return impl_->made(); }
std::uint64_t Thumbnailer::failed() const { return impl_->failed(); }

}  // namespace hub::media::pipeline
