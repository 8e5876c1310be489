// media/pipeline/demo_publisher.cpp
//
// The demo channel's publisher: one gst_parse_launch pipeline per attempt, watched on the
// "hub-demo" thread through its bus, torn down and rebuilt with backoff when it fails.
#include "media/pipeline/demo_publisher.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/metrics/registry.h"
#include "media/pipeline/gst_handles.h"

namespace hub::media::pipeline {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.demo");
  return log;
}

bool haveElement(const char* factory) {
  GstElementFactory* f = gst_element_factory_find(factory);
  if (!f) return false;
  gst_object_unref(f);
  return true;
}

// The URL without its last path segment (the secret key), for log lines.
std::string redactUrl(const std::string& url) {
  auto slash = url.rfind('/');
  return slash == std::string::npos ? "rtmp://..." : url.substr(0, slash + 1) + "<key>";
}

// Error texts may quote the location: take the key out of them.
std::string redactText(std::string text, const std::string& url) {
  auto slash = url.rfind('/');
  if (slash == std::string::npos || slash + 1 >= url.size()) return text;
  const std::string key = url.substr(slash + 1);
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at))
    text.replace(at, key.size(), "<key>");
  return text;
}

}  // namespace

Result<std::string> demoPipelineDescription(const DemoOptions& o, const std::string& url) {
  ensureGstInit();
  for (const char* needed : {"videotestsrc", "audiotestsrc", "x264enc", "h264parse", "flvmux", "rtmp2sink"})
    if (!haveElement(needed))
      return makeError("pipeline.demo_missing_element",
                       std::string("GStreamer element ") + needed + " is not installed");
  std::string aac;
  if (haveElement("avenc_aac"))
    aac = "avenc_aac bitrate=" + std::to_string(o.audioBps);
  else if (haveElement("voaacenc"))
    aac = "voaacenc bitrate=" + std::to_string(o.audioBps);
  else
    return makeError("pipeline.demo_missing_element", "neither avenc_aac nor voaacenc is installed");
  // The wall clock, so a viewer can read the delay against their own clock; without the Pango
  // plugin (Debian's gstreamer1.0-x) the pattern runs without it.
  std::string clock;
  if (haveElement("clockoverlay"))
    clock =
        "clockoverlay time-format=\"%Y-%m-%d %H:%M:%S\" halignment=center valignment=center "
        "font-desc=\"Sans Bold 28\" shaded-background=true ! ";
  std::string d;
  d += "videotestsrc is-live=true pattern=smpte ! video/x-raw,width=" + std::to_string(o.width) +
       ",height=" + std::to_string(o.height) + ",framerate=" + std::to_string(o.fps) + "/1 ! ";
  d += clock;
  d += "videoconvert ! video/x-raw,format=I420 ! ";
  d += "x264enc tune=zerolatency speed-preset=ultrafast bitrate=" + std::to_string(o.videoKbps) +
       " key-int-max=" + std::to_string(o.fps) +
       " bframes=0 threads=1 ! video/x-h264,profile=constrained-baseline ! ";
  d += "h264parse ! queue ! flvmux name=mux streamable=true ! rtmp2sink name=out location=\"" + url + "\" ";
  d += "audiotestsrc is-live=true wave=sine freq=440 volume=0.1 samplesperbuffer=1024 ! "
       "audio/x-raw,rate=44100,channels=2 ! audioconvert ! audioresample ! ";
  d += aac + " ! aacparse ! queue ! mux.";
  return d;
}

struct DemoPublisher::Impl {
  DemoOptions options;
  std::function<Result<std::string>()> target;
  metrics::Counter* restarts = nullptr;
  std::thread thread;
  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<std::uint64_t> attempts{0}, failures{0};

  bool stopRequested() {
    std::lock_guard lock(mu);
    return stopping;
  }

  // One pipeline from start to its end; the error text ("" when stop() ended it).
  std::string runOnce(const std::string& url) {
    auto description = demoPipelineDescription(options, url);
    if (!description) return description.error().message;
    GError* err = nullptr;
    GstElement* made = gst_parse_launch(description->c_str(), &err);
    GstElementPtr pipeline(made ? GST_ELEMENT(gst_object_ref_sink(made)) : nullptr);
    if (err) {
      std::string text = err->message;
      g_error_free(err);
      return "the demo pipeline did not build: " + redactText(text, url);
    }
    if (!pipeline) return "the demo pipeline did not build";
    attempts.fetch_add(1, std::memory_order_relaxed);
    std::string error;
    if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      error = "the demo pipeline refused to start";
    } else {
      logger()->info("demo publisher pushing to {}", redactUrl(url));
      GstBusPtr bus(gst_element_get_bus(pipeline.get()));
      while (!stopRequested()) {
        GstMessagePtr msg(gst_bus_timed_pop_filtered(
            bus.get(), 100 * GST_MSECOND, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS)));
        if (!msg) continue;
        error = GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS ? "the demo pipeline ended"
                                                               : redactText(messageText(msg.get()), url);
        break;
      }
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    return error;
  }

  void run() {
    hub::loop::setThreadName("hub-demo");
    int failed = 0;  // in a row
    while (!stopRequested()) {
      auto began = std::chrono::steady_clock::now();
      std::string error;
      auto url = target();
      if (!url)
        error = url.error().message;
      else
        error = runOnce(*url);
      if (stopRequested()) break;
      if (std::chrono::steady_clock::now() - began >= options.healthyAfter) failed = 0;
      ++failed;
      failures.fetch_add(1, std::memory_order_relaxed);
      if (restarts) restarts->inc();
      auto delay = options.backoffInitial;
      for (int i = 1; i < failed && delay < options.backoffMax; ++i) delay *= 2;
      delay = std::min(delay, options.backoffMax);
      logger()->warn("demo publisher stopped: {}; restarting in {} ms", error, delay.count());
      std::unique_lock lock(mu);
      wake.wait_for(lock, delay, [this] { return stopping; });
    }
  }
};

DemoPublisher::DemoPublisher(DemoOptions options, std::function<Result<std::string>()> target,
                             metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->target = std::move(target);
  if (metrics)
    impl_->restarts =
        &metrics->counter("hub_media_demo_restarts_total",
                          "Times the demo channel's built-in publisher failed and was restarted");
}

DemoPublisher::~DemoPublisher() { stop(); }

void DemoPublisher::start() {
  if (impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = false;
  }
  impl_->thread = hub::loop::namedThread("hub-demo", [impl = impl_.get()] { impl->run(); });
}

void DemoPublisher::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
    logger()->info("demo publisher stopped");
  }
}

std::uint64_t DemoPublisher::attempts() const { return impl_->attempts.load(std::memory_order_relaxed); }
std::uint64_t DemoPublisher::failures() const { return impl_->failures.load(std::memory_order_relaxed); }

}  // namespace hub::media::pipeline
