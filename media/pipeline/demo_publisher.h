// media/pipeline/demo_publisher.h
//
// The built-in test publisher behind the demo channel: a GStreamer pipeline in this process
// (videotestsrc with a running wall clock drawn by clockoverlay, an audiotestsrc tone, x264enc
// zerolatency/ultrafast with one key frame a second, AAC, flvmux) that pushes over RTMP with
// rtmp2sink to the hub's own ingest, exactly like an external encoder would. It runs on its own
// thread ("hub-demo"), rebuilds the pipeline after an error or an end with exponential backoff,
// and stops (pipeline to NULL, thread joined) on stop(). The publish URL carries the stream's
// secret key: it is asked for before every attempt and never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/util/result.h"

namespace hub::metrics {
class Registry;
}

namespace hub::media::pipeline {

struct DemoOptions {
  int width = 640;
  int height = 360;
  int fps = 30;
  int videoKbps = 400;  // x264 bitrate: low, it runs on every newcomer's laptop
  int audioBps = 64000;
  std::chrono::milliseconds backoffInitial{1000};
  std::chrono::milliseconds backoffMax{30000};
  // An attempt that stayed up this long resets the backoff.
  std::chrono::milliseconds healthyAfter{30000};
};

// The gst-launch description of the demo pipeline publishing to `url` (exposed for tests and
// the docs). Uses clockoverlay when the Pango plugin is installed, and avenc_aac or voaacenc,
// whichever is there; error "pipeline.demo_missing_element" when no H.264/AAC/RTMP element is.
Result<std::string> demoPipelineDescription(const DemoOptions& options, const std::string& url);

class DemoPublisher {
 public:
  // `target` gives the rtmp:// URL to publish to (or an error: the attempt fails and is retried).
  // `metrics` may be null. Nothing runs before start().
  DemoPublisher(DemoOptions options, std::function<Result<std::string>()> target,
                metrics::Registry* metrics = nullptr);
  ~DemoPublisher();  // stop()
  DemoPublisher(const DemoPublisher&) = delete;
  DemoPublisher& operator=(const DemoPublisher&) = delete;

  void start();
  // Tears the pipeline down and joins the thread; idempotent.
  void stop();

  // Pipelines started so far (1 while the first one runs), and failures seen.
  std::uint64_t attempts() const;
  std::uint64_t failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
