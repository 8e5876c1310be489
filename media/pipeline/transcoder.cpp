// media/pipeline/transcoder.cpp
//
// The ladder pipeline of one stream (see transcoder.h). One GStreamer pipeline per run of
// compatible source tracks: it is built on the first video frame after tracks(), and torn down
// (drained first) on a codec change, a discontinuity, end() or a bus error. Each rung's output
// state (RungOut) is shared between the appsink streaming thread (video) and the caller's thread
// (the source's audio, passed through), behind the rung's own mutex.
#include "media/pipeline/transcoder.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video-event.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "core/log/log.h"
#include "core/metrics/registry.h"
#include "media/pipeline/gst_handles.h"
#include "media/pipeline/pipeline_util.h"

namespace hub::media::pipeline {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.pipeline");
  return log;
}

constexpr std::size_t kMaxRemembered = 512;  // key-frame and wall-clock entries per pipeline
constexpr std::int64_t kAudioHoldUs = 3'000'000;
constexpr int kMaxDecodeErrors = 30;  // decoder errors in a row before the pipeline fails
// Frames the decoder took in without a picture coming out before the source is called
// undecodable (avdec drops what libavcodec refuses without an error on the bus).
constexpr std::uint64_t kMaxFramesWithoutPicture = 60;

std::int64_t runningTimeUs(const GstSegment* segment, GstClockTime t) {
  if (!segment || segment->format != GST_FORMAT_TIME) return static_cast<std::int64_t>(t / 1000);
  guint64 rt = 0;
  int sign = gst_segment_to_running_time_full(segment, GST_FORMAT_TIME, t, &rt);
  auto us = static_cast<std::int64_t>(rt / 1000);
  return sign < 0 ? -us : us;
}

}  // namespace

const char* stateName(TranscoderStatus::State state) {
  switch (state) {
    case TranscoderStatus::State::Idle:
      return "idle";
    case TranscoderStatus::State::Running:
      return "running";
    case TranscoderStatus::State::Failed:
      return "failed";
    case TranscoderStatus::State::Ended:
      return "ended";
  }
  return "?";
}

std::vector<config::TranscodeRung> rungsFor(const std::vector<config::TranscodeRung>& ladder,
                                            int sourceHeight) {
  std::vector<config::TranscodeRung> out;
  for (const auto& r : ladder)
    if (r.height < sourceHeight) out.push_back(r);
  return out;
}

class Transcoder::Impl {
 public:
  Impl(std::string stream, config::Transcode settings, SinkFor sinkFor, metrics::Registry* metrics)
      : stream_(std::move(stream)), settings_(std::move(settings)), sinkFor_(std::move(sinkFor)) {
    ensureGstInit();
    if (metrics) {
      metrics::Labels labels = {{"stream", stream_}};
      framesOutMetric_ = &metrics->counter("hub_transcode_frames_out_total",
                                           "Encoded frames the ladder delivered, all rungs", labels);
      droppedMetric_ = &metrics->counter("hub_transcode_dropped_frames_total",
                                         "Source video frames the ladder dropped", labels);
      failuresMetric_ = &metrics->counter("hub_transcode_failures_total",
                                          "Ladder pipelines that ended with an error", labels);
    }
  }
  ~Impl() { teardown(false); }

  void tracks(const std::vector<TrackInfo>& tracks) {
    std::optional<TrackInfo> video, audio;
    for (const auto& t : tracks) (isVideo(t.codec) ? video : audio) = t;
    bool videoChanged = video.has_value() != video_.has_value() ||
                        (video && (video->codec != video_->codec || video->codecData != video_->codecData ||
                                   video->width != video_->width || video->height != video_->height));
    bool audioChanged =
        audio.has_value() != audio_.has_value() || (audio && audio->codecData != audio_->codecData);
    if (videoChanged || audioChanged) {
      teardown(true);  // the next video key frame builds a new one
      idle_ = false;
    }
    video_ = std::move(video);
    audio_ = std::move(audio);
  }

  void frame(const Frame& f) {
    if (!isVideo(f.codec)) return audio(f);
    if (pipe_ && pipe_->failed.load()) teardown(true);
    if (!pipe_) {
      if (idle_ || !video_) return;
      if (failed_ || !f.keyFrame) return dropped(1, false);
      build();
      if (!pipe_) return;
    }
    auto* src = GST_APP_SRC(pipe_->appsrc.get());
    GstClockTime level = gst_app_src_get_current_level_time(src);
    bool full =
        level != GST_CLOCK_TIME_NONE && level > static_cast<GstClockTime>(settings_.queueMs) * GST_MSECOND;
    if (dropping_ && f.keyFrame && !full) dropping_ = false;
    if (full && !dropping_) {
      dropping_ = true;
      logger()->warn("[stream={}] transcoder behind by {} ms: dropping video until the next key frame",
                     stream_, level / GST_MSECOND);
    }
    if (dropping_) return dropped(1, true);
    if (pipe_->decoderIn.load() - pipe_->inAtLastPicture.load() > kMaxFramesWithoutPicture) {
      auto message = "source undecodable: no picture from the last " +
                     std::to_string(kMaxFramesWithoutPicture) + " frames";
      logger()->error("[stream={}] transcoder failed: {}", stream_, message);
      fail(message);
      pipe_->failed = true;
      teardown(false);
      return dropped(1, false);
    }
    if (f.ptsUs < 0 || f.dtsUs < 0) return dropped(1, false);

    auto* owned = new Payload(f.data);
    auto span = owned->view();
    GstBuffer* buf = gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(span.data()), span.size(), 0, span.size(), owned,
        [](gpointer p) { delete static_cast<Payload*>(p); });
    GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(f.ptsUs) * 1000;
    GST_BUFFER_DTS(buf) = static_cast<GstClockTime>(f.dtsUs) * 1000;
    if (!f.keyFrame) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    pipe_->remember(f.ptsUs, f.keyFrame, f.wallClock);
    GstFlowReturn flow = gst_app_src_push_buffer(src, buf);
    if (flow != GST_FLOW_OK) return dropped(1, false);
    std::lock_guard lock(mu_);
    status_.framesIn++;
  }

  void discontinuity() {
    teardown(true);
    // The rungs' sinks learn it too, and their next tracks() comes with the next pipeline.
    for (auto& out : lastOuts_) {
      std::lock_guard lock(out->mu);
      if (out->sink && !out->ended) out->sink->discontinuity();
    }
    lastOuts_.clear();
  }

  void end() {
    teardown(true);
    for (auto& out : lastOuts_) endRung(*out);
    lastOuts_.clear();
    std::lock_guard lock(mu_);
    if (status_.state != TranscoderStatus::State::Failed) status_.state = TranscoderStatus::State::Ended;
  }

  TranscoderStatus status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  // One rung's output: its sink (known from its first encoded frame), codec data, held audio.
  struct Pipe;
  struct RungOut {
    Impl* impl = nullptr;
    Pipe* pipe = nullptr;
    config::TranscodeRung rung;
    double frameRate = 0;
    std::optional<TrackInfo> audioTrack;
    int width = 0, height = 0;
    std::mutex mu;
    FrameSink* sink = nullptr;
    std::vector<std::uint8_t> codecData;
    std::int64_t lastVideoDtsUs = -1;
    std::deque<Frame> audio;  // source audio not yet delivered (waits for video to catch up)
    bool ended = false;
  };

  // A running pipeline and what its streaming threads share.
  struct Pipe {
    Impl* impl = nullptr;
    GstElementPtr pipeline, appsrc;
    std::vector<std::shared_ptr<RungOut>> outs;
    std::atomic<bool> failed{false};
    std::atomic<std::uint64_t> decoderIn{0};        // buffers into the decoder
    std::atomic<std::uint64_t> inAtLastPicture{0};  // decoderIn when the last picture came out
    std::mutex mu;
    std::set<std::int64_t> keyPts;                                       // µs, source key frames
    std::map<std::int64_t, std::chrono::system_clock::time_point> wall;  // µs pts -> ingest time

    void remember(std::int64_t ptsUs, bool key, std::chrono::system_clock::time_point when) {
      std::lock_guard lock(mu);
      if (key) keyPts.insert(ptsUs);
      wall[ptsUs] = when;
      while (keyPts.size() > kMaxRemembered) keyPts.erase(keyPts.begin());
      while (wall.size() > kMaxRemembered) wall.erase(wall.begin());
    }
    bool isKey(std::int64_t ptsUs) {
      std::lock_guard lock(mu);
      return keyPts.count(ptsUs) > 0;
    }
    std::chrono::system_clock::time_point wallAt(std::int64_t ptsUs) {
      std::lock_guard lock(mu);
      auto it = wall.find(ptsUs);
      return it == wall.end() ? std::chrono::system_clock::now() : it->second;
    }
  };

  void dropped(std::uint64_t n, bool log) {
    (void)log;
    std::lock_guard lock(mu_);
    status_.droppedFrames += n;
    if (droppedMetric_) droppedMetric_->inc(static_cast<double>(n));
  }

  // True when this is the first failure (the one the status keeps).
  bool fail(const std::string& message) {
    std::lock_guard lock(mu_);
    if (status_.state == TranscoderStatus::State::Failed) return false;
    status_.state = TranscoderStatus::State::Failed;
    status_.message = message;
    if (failuresMetric_) failuresMetric_->inc();
    return true;
  }

  void build() {
    auto rungs = rungsFor(settings_.ladder, video_->height);
    if (video_->height <= 0 || rungs.empty()) {
      idle_ = true;
      std::lock_guard lock(mu_);
      status_.state = TranscoderStatus::State::Idle;
      status_.message = video_->height <= 0
                            ? "source size unknown"
                            : "source is " + std::to_string(video_->height) + "p: no rung below it";
      status_.rungs.clear();
      return;
    }
    auto pipe = std::make_unique<Pipe>();
    pipe->impl = this;
    auto built = buildPipeline(*pipe, rungs);
    if (!built) {
      logger()->error("[stream={}] transcoder not started: {}", stream_, built.error().message);
      failed_ = true;
      fail(built.error().message);
      return;
    }
    GstBusPtr bus(gst_element_get_bus(pipe->pipeline.get()));
    gst_bus_set_sync_handler(bus.get(), &Impl::onBusMessage, pipe.get(), nullptr);
    pipe_ = std::move(pipe);
    if (gst_element_set_state(pipe_->pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      fail("transcoder pipeline refused to start");
      failed_ = true;
      teardown(false);
      return;
    }
    std::lock_guard lock(mu_);
    status_.state = TranscoderStatus::State::Running;
    status_.message.clear();
    status_.rungs.clear();
    for (const auto& r : rungs) status_.rungs.push_back(r.id);
    logger()->info("[stream={}] transcoding {}x{} {} to {}", stream_, video_->width, video_->height,
                   codecName(video_->codec), config::formatLadder(rungs));
  }

  Status buildPipeline(Pipe& pipe, const std::vector<config::TranscodeRung>& rungs) {
    pipe.pipeline = GstElementPtr(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    auto* bin = GST_BIN(pipe.pipeline.get());
    pipe.appsrc = makeElement("appsrc");
    auto decoder = makeElement(video_->codec == Codec::Hevc ? "avdec_h265" : "avdec_h264");
    auto tee = makeElement("tee");
    if (!pipe.appsrc || !decoder || !tee)
      return makeError("pipeline.missing_element", "appsrc, tee or the libav decoder is not installed");
    g_object_set(decoder.get(), "max-errors", kMaxDecodeErrors, nullptr);
    GstPadPtr decIn(gst_element_get_static_pad(decoder.get(), "sink"));
    gst_pad_add_probe(decIn.get(), GST_PAD_PROBE_TYPE_BUFFER, &Impl::onDecoderInput, &pipe, nullptr);
    GstPadPtr decOut(gst_element_get_static_pad(decoder.get(), "src"));
    gst_pad_add_probe(decOut.get(), GST_PAD_PROBE_TYPE_BUFFER, &Impl::onDecoderOutput, &pipe, nullptr);
    GstCapsPtr caps(videoCaps(*video_));
    g_object_set(pipe.appsrc.get(), "caps", caps.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, "block",
                 FALSE, "max-bytes", static_cast<guint64>(256) << 20, nullptr);
    gst_bin_add_many(bin, pipe.appsrc.get(), decoder.get(), tee.get(), nullptr);
    // the bin holds its own references from here; ours go when the handles die
    if (!gst_element_link_many(pipe.appsrc.get(), decoder.get(), tee.get(), nullptr))
      return makeError("pipeline.link", "cannot link appsrc to the decoder");

    for (const auto& rung : rungs) {
      auto out = std::make_shared<RungOut>();
      out->impl = this;
      out->pipe = &pipe;
      out->frameRate = video_->frameRate;
      out->audioTrack = audio_;
      out->rung = rung;
      out->height = rung.height;
      out->width = evenWidth(video_->width, video_->height, rung.height);
      auto queue = makeElement("queue");
      auto scale = makeElement("videoconvertscale");
      auto filter = makeElement("capsfilter");
      auto enc = makeElement("x264enc");
      auto parse = makeElement("h264parse");
      auto sink = makeElement("appsink");
      if (!queue || !scale || !filter || !enc || !parse || !sink)
        return makeError("pipeline.missing_element",
                         "videoconvertscale, x264enc, h264parse or appsink missing");
      GstCapsPtr raw(gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, out->width, "height", G_TYPE_INT,
                                         out->height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                         nullptr));
      g_object_set(filter.get(), "caps", raw.get(), nullptr);
      g_object_set(queue.get(), "max-size-buffers", 8u, "max-size-bytes", 0u, "max-size-time",
                   static_cast<guint64>(0), nullptr);
      gst_util_set_object_arg(G_OBJECT(enc.get()), "tune", "zerolatency");
      gst_util_set_object_arg(G_OBJECT(enc.get()), "speed-preset", settings_.preset.c_str());
      g_object_set(enc.get(), "bitrate", static_cast<guint>(rung.bitrate / 1000), "key-int-max", 0u, nullptr);
      GstCapsPtr avc(gst_caps_from_string("video/x-h264,stream-format=avc,alignment=au"));
      g_object_set(sink.get(), "caps", avc.get(), "sync", FALSE, "async", FALSE, "max-buffers", 0u, nullptr);
      GstAppSinkCallbacks callbacks{};
      callbacks.new_sample = &Impl::onSample;
      gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, out.get(), nullptr);
      gst_bin_add_many(bin, queue.get(), scale.get(), filter.get(), enc.get(), parse.get(), sink.get(),
                       nullptr);
      if (!gst_element_link_many(tee.get(), queue.get(), scale.get(), filter.get(), enc.get(), parse.get(),
                                 sink.get(), nullptr))
        return makeError("pipeline.link", "cannot link the " + rung.id + " rung");
      // Key frames where the source has them, on every rung: a force-key-unit event ahead of
      // each decoded frame whose timestamp was a source key frame.
      GstPadPtr encPad(gst_element_get_static_pad(enc.get(), "sink"));
      gst_pad_add_probe(encPad.get(), GST_PAD_PROBE_TYPE_BUFFER, &Impl::onEncoderInput, &pipe, nullptr);
      pipe.outs.push_back(std::move(out));
    }
    return {};
  }

  static GstPadProbeReturn onDecoderInput(GstPad*, GstPadProbeInfo*, gpointer data) {
    static_cast<Pipe*>(data)->decoderIn++;
    return GST_PAD_PROBE_OK;
  }
  static GstPadProbeReturn onDecoderOutput(GstPad*, GstPadProbeInfo*, gpointer data) {
    auto* pipe = static_cast<Pipe*>(data);
    pipe->inAtLastPicture = pipe->decoderIn.load();
    return GST_PAD_PROBE_OK;
  }

  static GstPadProbeReturn onEncoderInput(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto* pipe = static_cast<Pipe*>(data);
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (buf && GST_BUFFER_PTS_IS_VALID(buf) &&
        pipe->isKey(static_cast<std::int64_t>(GST_BUFFER_PTS(buf) / 1000))) {
      gst_pad_send_event(pad, gst_video_event_new_downstream_force_key_unit(
                                  GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, TRUE, 0));
    }
    return GST_PAD_PROBE_OK;
  }

  static GstFlowReturn onSample(GstAppSink* appsink, gpointer data) {
    auto* out = static_cast<RungOut*>(data);
    GstSamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_OK;
    out->impl->deliver(*out, sample.get());
    return GST_FLOW_OK;
  }

  // An encoded frame of one rung (appsink streaming thread).
  void deliver(RungOut& out, GstSample* sample) {
    GstBuffer* buf = gst_sample_get_buffer(sample);
    GstCaps* caps = gst_sample_get_caps(sample);
    if (!buf || !caps || !GST_BUFFER_PTS_IS_VALID(buf)) return;
    Frame f;
    f.codec = Codec::H264;
    // x264enc shifts its output by 1000 hours (GstVideoEncoder min-pts, so DTS never goes
    // negative) and moves the segment with it: the running time is the source's timeline again.
    const GstSegment* segment = gst_sample_get_segment(sample);
    f.ptsUs = runningTimeUs(segment, GST_BUFFER_PTS(buf));
    f.dtsUs = GST_BUFFER_DTS_IS_VALID(buf) ? runningTimeUs(segment, GST_BUFFER_DTS(buf)) : f.ptsUs;
    f.dtsUs = std::min(f.dtsUs, f.ptsUs);
    f.keyFrame = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    GstMapInfo map;
    if (!gst_buffer_map(buf, &map, GST_MAP_READ)) return;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(map.data, map.data + map.size);
    gst_buffer_unmap(buf, &map);
    f.data = Payload{bytes, 0, bytes->size()};
    f.wallClock = out.pipe->wallAt(f.ptsUs);

    std::lock_guard lock(out.mu);
    if (out.ended) return;
    auto codecData = capsCodecData(caps);
    if (!out.sink || codecData != out.codecData) {
      if (codecData.empty()) return;  // h264parse always sets codec_data for avc
      out.codecData = std::move(codecData);
      TrackInfo video{Codec::H264, out.codecData,   out.width, out.height, out.frameRate, 0,
                      0,           out.rung.bitrate};
      std::vector<TrackInfo> tracks{video};
      std::int64_t audioBitrate = 0;
      std::string codecs = avcCodecsString(out.codecData);
      if (out.audioTrack) {
        tracks.push_back(*out.audioTrack);
        audioBitrate = out.audioTrack->bitrate > 0 ? out.audioTrack->bitrate : 128'000;
        codecs += "," + aacCodecsString(out.audioTrack->codecData);
      }
      if (!out.sink) {
        hls::RenditionInfo info{out.rung.id,
                                out.width,
                                out.height,
                                out.frameRate,
                                out.rung.bitrate * 12 / 10 + audioBitrate,
                                out.rung.bitrate + audioBitrate,
                                codecs};
        out.sink = &sinkFor_(info);
        // audio from before the rendition's first frame has no picture to go with
        while (!out.audio.empty() && out.audio.front().dtsUs < f.dtsUs) out.audio.pop_front();
      }
      out.sink->tracks(tracks);
    }
    while (!out.audio.empty() && out.audio.front().dtsUs <= f.dtsUs) {
      out.sink->frame(out.audio.front());
      out.audio.pop_front();
    }
    out.lastVideoDtsUs = f.dtsUs;
    out.sink->frame(f);
    {
      std::lock_guard slock(mu_);
      status_.framesOut++;
    }
    if (framesOutMetric_) framesOutMetric_->inc();
  }

  // Source audio goes to every rung, in step with its video.
  void audio(const Frame& f) {
    if (!pipe_) return;
    for (auto& out : pipe_->outs) {
      std::lock_guard lock(out->mu);
      if (out->ended) continue;
      if (out->sink && out->audio.empty() && f.dtsUs <= out->lastVideoDtsUs) {
        out->sink->frame(f);
        continue;
      }
      out->audio.push_back(f);
      // Video far behind (or not there yet): do not hold audio forever.
      while (out->audio.size() > 1 && out->audio.back().dtsUs - out->audio.front().dtsUs > kAudioHoldUs) {
        if (out->sink) out->sink->frame(out->audio.front());
        out->audio.pop_front();
      }
    }
  }

  void endRung(RungOut& out) {
    std::lock_guard lock(out.mu);
    if (out.ended) return;
    out.ended = true;
    if (out.sink) {
      for (const auto& a : out.audio) out.sink->frame(a);
      out.sink->end();
    }
    out.audio.clear();
  }

  static GstBusSyncReply onBusMessage(GstBus*, GstMessage* message, gpointer data) {
    auto* pipe = static_cast<Pipe*>(data);
    auto* self = pipe->impl;
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR: {
        auto text = messageText(message);
        if (self->fail(text)) logger()->error("[stream={}] transcoder failed: {}", self->stream_, text);
        pipe->failed = true;
        return GST_BUS_PASS;
      }
      case GST_MESSAGE_EOS:
        return GST_BUS_PASS;
      case GST_MESSAGE_WARNING:
        logger()->warn("[stream={}] transcoder: {}", self->stream_, messageText(message));
        return GST_BUS_DROP;
      default:
        return GST_BUS_DROP;  // nobody pops the bus except teardown: keep it from growing
    }
  }

  // Stops the pipeline; `drain` lets what is inside come out first (bounded wait). A failed
  // pipeline ends its rungs; a healthy one leaves them to the caller (discontinuity, end, rebuild).
  void teardown(bool drain) {
    if (!pipe_) return;
    bool failed = pipe_->failed.load();
    if (drain && !failed) {
      gst_app_src_end_of_stream(GST_APP_SRC(pipe_->appsrc.get()));
      GstBusPtr bus(gst_element_get_bus(pipe_->pipeline.get()));
      // What is queued (at most queue_ms of video) needs about that long to come out.
      GstClockTime wait = (static_cast<GstClockTime>(settings_.queueMs) + 2000) * GST_MSECOND;
      GstMessagePtr msg(gst_bus_timed_pop_filtered(
          bus.get(), wait, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
      (void)msg;
    }
    gst_element_set_state(pipe_->pipeline.get(), GST_STATE_NULL);
    failed = failed || pipe_->failed.load();
    if (failed) {
      for (auto& out : pipe_->outs) endRung(*out);
      lastOuts_.clear();
      failed_ = true;
    } else {
      lastOuts_ = pipe_->outs;
    }
    pipe_.reset();
    dropping_ = false;
  }

  std::string stream_;
  config::Transcode settings_;
  SinkFor sinkFor_;
  metrics::Counter* framesOutMetric_ = nullptr;
  metrics::Counter* droppedMetric_ = nullptr;
  metrics::Counter* failuresMetric_ = nullptr;

  // Caller's thread only.
  std::optional<TrackInfo> video_, audio_;
  std::unique_ptr<Pipe> pipe_;
  std::vector<std::shared_ptr<RungOut>> lastOuts_;  // the previous pipeline's rungs
  bool dropping_ = false;
  bool failed_ = false;  // a failed stream stays failed until the Transcoder is replaced
  bool idle_ = false;    // no rung below the source: nothing to do until the tracks change

  mutable std::mutex mu_;
  TranscoderStatus status_;
};

Transcoder::Transcoder(std::string stream, config::Transcode settings, SinkFor sinkFor,
                       metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(stream), std::move(settings), std::move(sinkFor), metrics)) {}
Transcoder::~Transcoder() = default;
void Transcoder::tracks(const std::vector<TrackInfo>& tracks) { impl_->tracks(tracks); }
void Transcoder::frame(const Frame& frame) { impl_->frame(frame); }
void Transcoder::discontinuity() { impl_->discontinuity(); }
void Transcoder::end() { impl_->end(); }
TranscoderStatus Transcoder::status() const { return impl_->status(); }

}  // namespace hub::media::pipeline
