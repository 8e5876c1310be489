// media/pipeline/thumbnailer.cpp
//
// Live thumbnails (see thumbnailer.h). The caller's thread only picks a key frame when one is
// due and hands it over; the worker decodes it in a throwaway pipeline (one buffer, then EOS,
// so the decoder drains at once even when the stream has B-frames) and keeps the JPEG.
#include "media/pipeline/thumbnailer.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/log/log.h"
#include "media/pipeline/gst_handles.h"
#include "media/pipeline/pipeline_util.h"

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

// Decodes one key frame to a JPEG `width` wide; the error says what went wrong.
Result<std::string> encodeThumbnail(const Job& job, int width) {
  int height = job.track.width > 0 ? std::max(2, job.track.height * width / job.track.width / 2 * 2)
                                   : width * 9 / 16 / 2 * 2;
  GstElementPtr pipeline(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
  auto src = makeElement("appsrc");
  auto dec = makeElement(job.track.codec == Codec::Hevc ? "avdec_h265" : "avdec_h264");
  auto scale = makeElement("videoconvertscale");
  auto filter = makeElement("capsfilter");
  auto jpeg = makeElement("jpegenc");
  auto sink = makeElement("appsink");
  if (!src || !dec || !scale || !filter || !jpeg || !sink)
    return makeError("pipeline.missing_element", "avdec, videoconvertscale, jpegenc or appsink missing");
  GstCapsPtr caps(videoCaps(job.track));
  g_object_set(src.get(), "caps", caps.get(), "format", GST_FORMAT_TIME, nullptr);
  g_object_set(dec.get(), "max-threads", 1, nullptr);
  GstCapsPtr raw(gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                                     width, "height", G_TYPE_INT, height, "pixel-aspect-ratio",
                                     GST_TYPE_FRACTION, 1, 1, nullptr));
  g_object_set(filter.get(), "caps", raw.get(), nullptr);
  g_object_set(sink.get(), "sync", FALSE, nullptr);
  auto* bin = GST_BIN(pipeline.get());
  gst_bin_add_many(bin, src.get(), dec.get(), scale.get(), filter.get(), jpeg.get(), sink.get(), nullptr);
  if (!gst_element_link_many(src.get(), dec.get(), scale.get(), filter.get(), jpeg.get(), sink.get(),
                             nullptr))
    return makeError("pipeline.link", "cannot link the thumbnail pipeline");

  auto* owned = new Payload(job.frame.data);
  auto span = owned->view();
  GstBuffer* buf = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(span.data()), span.size(), 0, span.size(), owned,
      [](gpointer p) { delete static_cast<Payload*>(p); });
  GST_BUFFER_PTS(buf) = 0;
  GST_BUFFER_DTS(buf) = 0;
  gst_app_src_push_buffer(GST_APP_SRC(src.get()), buf);
  gst_app_src_end_of_stream(GST_APP_SRC(src.get()));

  std::string out;
  std::string error;
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    error = "thumbnail pipeline refused to start";
  } else {
    GstSamplePtr sample(gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 3 * GST_SECOND));
    GstBuffer* jpegBuf = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
    if (jpegBuf) {
      out.resize(gst_buffer_get_size(jpegBuf));
      gst_buffer_extract(jpegBuf, 0, out.data(), out.size());
    } else {
      GstBusPtr bus(gst_element_get_bus(pipeline.get()));
      GstMessagePtr msg(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
      error = msg ? messageText(msg.get()) : "the key frame decoded to nothing";
    }
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (out.empty()) return makeError("pipeline.thumbnail", error);
  return out;
}

}  // namespace

class Thumbnailer::Impl {
 public:
  Impl(std::string stream, const config::Transcode& settings, const Clock& clock)
      : stream_(std::move(stream)),
        interval_(std::chrono::seconds(settings.thumbnailIntervalSeconds)),
        width_(settings.thumbnailWidth / 2 * 2),
        clock_(clock) {
    ensureGstInit();
    worker_ = std::thread([this] { run(); });
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
    if (last_ && now - *last_ < interval_) return;
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
  std::uint64_t made() const { return made_.load(); }
  std::uint64_t failed() const { return failed_.load(); }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      Job job = *job_;
      lock.unlock();
      auto jpeg = encodeThumbnail(job, width_);
      lock.lock();
      job_.reset();
      if (jpeg) {
        latest_ = std::make_shared<const std::string>(std::move(*jpeg));
        made_++;
      } else {
        failed_++;
        logger()->warn("[stream={}] thumbnail failed: {}", stream_, jpeg.error().message);
      }
    }
  }

  std::string stream_;
  std::chrono::steady_clock::duration interval_;
  int width_;
  const Clock& clock_;
  // Caller's thread.
  std::optional<TrackInfo> video_;
  std::optional<Clock::Steady> last_;
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
std::uint64_t Thumbnailer::made() const { return impl_->made(); }
std::uint64_t Thumbnailer::failed() const { return impl_->failed(); }

}  // namespace hub::media::pipeline
