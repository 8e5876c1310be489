// media/restream/restreamer.cpp
//
// The restreamer's queue, thread, reconnect policy and FLV tag bodies; see restreamer.h. The
// stream's thread only appends to a bounded queue; everything that can wait (connect, send)
// happens on the restreamer's own thread.
#include "media/restream/restreamer.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <variant>

#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/metrics/registry.h"
#include "media/restream/rtmp_client.h"
#include "media/rtmp/amf0.h"

namespace hub::media::restream {

namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.restream");
  return log;
}

bool isDigits(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string RtmpUrl::redacted() const { return tcUrl + "/***"; }

Result<RtmpUrl> parseRtmpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "rtmp://";
  if (url.rfind(kScheme, 0) != 0) return makeError("restream.bad_url", "not an rtmp:// URL");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return makeError("restream.bad_url", "no host or no path");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  RtmpUrl u;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return makeError("restream.bad_url", "unclosed [ in host");
    u.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':' || !isDigits(authority.substr(1)))
        return makeError("restream.bad_url", "bad port");
      u.port = static_cast<std::uint16_t>(std::stoi(std::string(authority.substr(1))));
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    u.host = std::string(authority.substr(0, colon));
    const auto port = authority.substr(colon + 1);
    if (!isDigits(port) || std::stoi(std::string(port)) > 65535)
      return makeError("restream.bad_url", "bad port");
    u.port = static_cast<std::uint16_t>(std::stoi(std::string(port)));
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty() || u.port == 0) return makeError("restream.bad_url", "no host or port 0");
  // The stream name is the last path segment with its query; the app is everything before it.
  const auto query = path.find('?');
  const auto last = path.substr(0, query).rfind('/');
  if (last == std::string_view::npos || last == 0 || last + 1 >= path.size())
    return makeError("restream.bad_url", "the path needs an app and a stream name: rtmp://host/app/name");
  u.app = std::string(path.substr(0, last));
  u.stream = std::string(path.substr(last + 1));
  const bool v6 = u.host.find(':') != std::string::npos;
  u.tcUrl = "rtmp://" + (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port) + "/" + u.app;
  return u;
}

const char* targetStateName(TargetState s) {
  switch (s) {
    case TargetState::Connecting:
      return "connecting";
    case TargetState::Live:
      return "live";
    case TargetState::Retrying:
      return "retrying";
    case TargetState::Unsupported:
      return "unsupported";
    case TargetState::Stopped:
      return "stopped";
  }
  return "?";
}

struct Restreamer::Impl {
  struct TracksItem {
    std::vector<TrackInfo> tracks;
  };
  struct DiscontinuityItem {};
  using Item = std::variant<TracksItem, Frame, DiscontinuityItem>;

  std::string stream;
  std::optional<RtmpUrl> url;
  RestreamOptions options;
  const Clock& clock;
  std::string target;  // redacted URL

  metrics::Counter* bytesMetric = nullptr;
  metrics::Counter* droppedMetric = nullptr;
  metrics::Counter* failuresMetric = nullptr;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;
  std::size_t queuedBytes = 0;
  std::optional<std::vector<TrackInfo>> latestTracks;  // what a (re)connect starts from
  bool live = false;                                   // frames are wanted (the connection is up)
  bool producerWaitKey = false;  // dropped something: take nothing until the next key frame
  bool ended = false;
  bool hasVideo = false;
  RestreamStatus status;
  std::atomic<bool> stop{false};
  std::thread thread;

  // Thread-side state.
  std::mt19937 rng{std::random_device{}()};
  std::optional<std::int64_t> baseUs;  // source dts that maps to output timestamp 0 (of this connection)
  std::uint32_t lastOutMs = 0;
  bool rebase = false;

  Impl(std::string s, const std::string& rawUrl, RestreamOptions o, const Clock& c, metrics::Registry* m)
      : stream(std::move(s)), options(o), clock(c) {
    auto parsed = parseRtmpUrl(rawUrl);
    if (parsed) {
      url = *parsed;
      target = url->redacted();
    } else {
      target = "(invalid URL)";
      status.state = TargetState::Retrying;
      status.lastError = parsed.error().code + ": " + parsed.error().message;
    }
    status.target = target;
    if (m) {
      const metrics::Labels labels{{"stream", stream}};
      bytesMetric = &m->counter("hub_restream_sent_bytes_total", "Bytes sent to restream targets", labels);
      droppedMetric = &m->counter("hub_restream_dropped_frames_total",
                                  "Frames not sent to a restream target (slow, down or unsupported)", labels);
      failuresMetric =
          &m->counter("hub_restream_failures_total",
                      "Failed connection attempts and lost connections to restream targets", labels);
    }
  }

  void dropped(std::uint64_t n = 1) {
    status.framesDropped += n;
    if (droppedMetric) droppedMetric->inc(static_cast<double>(n));
  }

  static std::size_t itemBytes(const Item& item) {
    if (const auto* f = std::get_if<Frame>(&item)) return f->data.size + 64;
    return 64;
  }

  // ---- producer side (the stream's thread) ----

  void push(Item item) {
    const std::size_t bytes = itemBytes(item);
    queuedBytes += bytes;
    queue.push_back(std::move(item));
    cv.notify_one();
  }

  void onTracks(const std::vector<TrackInfo>& tracks) {
    std::lock_guard lock(mu);
    latestTracks = tracks;
    hasVideo = std::any_of(tracks.begin(), tracks.end(), [](const TrackInfo& t) { return isVideo(t.codec); });
    const bool hevc =
        std::any_of(tracks.begin(), tracks.end(), [](const TrackInfo& t) { return t.codec == Codec::Hevc; });
    if (hevc) {
      if (status.state != TargetState::Unsupported)
        logger()->warn("[stream={} target={}] source is HEVC: restream needs H.264, not restreaming", stream,
                       target);
      status.state = TargetState::Unsupported;
      status.lastError = "restream.unsupported_codec: the source video is HEVC; targets take H.264 only";
      live = false;
      queue.clear();
      queuedBytes = 0;
      cv.notify_one();
      return;
    }
    if (status.state == TargetState::Unsupported) {
      status.state = TargetState::Connecting;
      status.lastError.clear();
    }
    if (live) push(TracksItem{tracks});
    cv.notify_one();
  }

  void onFrame(const Frame& f) {
    std::lock_guard lock(mu);
    if (!live) {
      if (status.state == TargetState::Live || status.state == TargetState::Unsupported) dropped();
      return;
    }
    const bool videoKey = isVideo(f.codec) && f.keyFrame;
    if (producerWaitKey) {
      if (!videoKey) {
        dropped();
        return;
      }
      producerWaitKey = false;
    }
    if (queuedBytes + f.data.size > options.maxQueuedBytes) {
      // The target is slower than the stream: drop everything up to the next key frame, so
      // the target sees a clean cut instead of broken references.
      std::uint64_t n = 1;
      for (const auto& item : queue) n += std::holds_alternative<Frame>(item) ? 1 : 0;
      std::erase_if(queue, [](const Item& item) { return std::holds_alternative<Frame>(item); });
      queuedBytes = 0;
      for (const auto& item : queue) queuedBytes += itemBytes(item);
      dropped(n);
      producerWaitKey = hasVideo;
      logger()->warn("[stream={} target={}] target too slow: queue over {} bytes, dropped {} frames", stream,
                     target, options.maxQueuedBytes, n);
      return;
    }
    push(f);
  }

  void onDiscontinuity() {
    std::lock_guard lock(mu);
    if (live) push(DiscontinuityItem{});
  }

  void onEnd() {
    std::lock_guard lock(mu);
    ended = true;
    cv.notify_one();
  }

  // ---- the restreamer's thread ----

  void setState(TargetState s, std::string error = {}) {
    std::lock_guard lock(mu);
    if (status.state == TargetState::Unsupported && s != TargetState::Stopped) return;
    status.state = s;
    if (!error.empty()) status.lastError = std::move(error);
  }

  bool waitUntil(Clock::Steady due) {
    std::unique_lock lock(mu);
    while (!stop && !ended && clock.steady() < due) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - clock.steady());
      cv.wait_for(lock, std::min(left + std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
    }
    return !stop && !ended;
  }

  std::chrono::milliseconds backoff(int failures) {
    auto delay = options.backoffInitial;
    for (int i = 1; i < failures && delay < options.backoffMax; ++i) delay *= 2;
    delay = std::min(delay, options.backoffMax);
    // Full jitter over the upper half: targets that failed together do not retry together.
    std::uniform_int_distribution<long long> dist(delay.count() / 2, std::max<long long>(delay.count(), 1));
    return std::chrono::milliseconds(dist(rng));
  }

  static rtmp::Bytes metadata(const std::vector<TrackInfo>& tracks) {
    using rtmp::Amf0Value;
    std::vector<rtmp::Amf0Property> props;
    for (const auto& t : tracks) {
      if (t.codec == Codec::H264) {
        props.push_back({"width", Amf0Value::number(t.width)});
        props.push_back({"height", Amf0Value::number(t.height)});
        if (t.frameRate > 0) props.push_back({"framerate", Amf0Value::number(t.frameRate)});
        props.push_back({"videocodecid", Amf0Value::number(7)});
        if (t.bitrate > 0)
          props.push_back({"videodatarate", Amf0Value::number(static_cast<double>(t.bitrate) / 1000)});
      } else if (t.codec == Codec::Aac) {
        props.push_back({"audiocodecid", Amf0Value::number(10)});
        props.push_back({"audiosamplerate", Amf0Value::number(t.sampleRate)});
        props.push_back({"audiochannels", Amf0Value::number(t.channels)});
        props.push_back({"stereo", Amf0Value::boolean(t.channels > 1)});
        if (t.bitrate > 0)
          props.push_back({"audiodatarate", Amf0Value::number(static_cast<double>(t.bitrate) / 1000)});
      }
    }
    props.push_back({"encoder", Amf0Value::string("hub restream")});
    return rtmp::encodeAmf0({Amf0Value::string("@setDataFrame"), Amf0Value::string("onMetaData"),
                             Amf0Value::ecmaArray(std::move(props))});
  }

  static rtmp::Bytes sequenceHeader(const TrackInfo& t) {
    rtmp::Bytes body;
    if (t.codec == Codec::H264) {
      body = {0x17, 0x00, 0x00, 0x00, 0x00};
    } else {
      body = {0xaf, 0x00};
    }
    body.insert(body.end(), t.codecData.begin(), t.codecData.end());
    return body;
  }

  Status sendHeaders(RtmpClient& client, const std::vector<TrackInfo>& tracks, std::uint32_t ts,
                     bool withMetadata) {
    if (withMetadata)
      if (auto s = client.sendMedia(rtmp::msg::kDataAmf0, ts, metadata(tracks)); !s) return s;
    for (const auto& t : tracks) {
      if (t.codecData.empty()) continue;
      const auto type = t.codec == Codec::Aac ? rtmp::msg::kAudio : rtmp::msg::kVideo;
      if (auto s = client.sendMedia(type, ts, sequenceHeader(t)); !s) return s;
    }
    return {};
  }

  std::uint32_t outputTimestamp(std::int64_t dtsUs) {
    if (!baseUs || rebase) {
      // Continue the target's timeline a frame after its last timestamp.
      baseUs = dtsUs - static_cast<std::int64_t>(lastOutMs + (rebase ? 1 : 0)) * 1000;
      rebase = false;
    }
    const std::int64_t ms = std::max<std::int64_t>((dtsUs - *baseUs) / 1000, lastOutMs);
    lastOutMs = static_cast<std::uint32_t>(ms);
    return lastOutMs;
  }

  Status sendFrame(RtmpClient& client, const Frame& f) {
    const auto ts = outputTimestamp(f.dtsUs);
    rtmp::Bytes body;
    const auto data = f.data.view();
    body.reserve(data.size() + 5);
    if (f.codec == Codec::Aac) {
      body = {0xaf, 0x01};
      body.insert(body.end(), data.begin(), data.end());
      return client.sendMedia(rtmp::msg::kAudio, ts, body);
    }
    const auto cts = static_cast<std::int32_t>((f.ptsUs - f.dtsUs) / 1000);
    body = {static_cast<std::uint8_t>(f.keyFrame ? 0x17 : 0x27), 0x01, static_cast<std::uint8_t>(cts >> 16),
            static_cast<std::uint8_t>(cts >> 8), static_cast<std::uint8_t>(cts)};
    body.insert(body.end(), data.begin(), data.end());
    return client.sendMedia(rtmp::msg::kVideo, ts, body);
  }

  // One connection: publish, then forward until it fails, the source ends or we stop.
  Status session(RtmpClient& client) {
    if (auto s = client.open(); !s) return s;
    std::vector<TrackInfo> tracks;
    {
      std::lock_guard lock(mu);
      if (!latestTracks || status.state == TargetState::Unsupported)
        return makeError("restream.stopped", "no tracks");
      tracks = *latestTracks;
      queue.clear();
      queuedBytes = 0;
      live = true;
      producerWaitKey = hasVideo;  // start from a key frame
      status.state = TargetState::Live;
      status.connects++;
    }
    baseUs.reset();
    lastOutMs = 0;
    logger()->info("[stream={} target={}] live", stream, target);
    std::uint64_t reported = client.bytesSent();
    auto account = [&] {
      const auto now = client.bytesSent();
      std::lock_guard lock(mu);
      status.bytesSent += now - reported;
      if (bytesMetric) bytesMetric->inc(static_cast<double>(now - reported));
      reported = now;
    };
    if (auto s = sendHeaders(client, tracks, 0, true); !s) return s;
    for (;;) {
      std::optional<Item> item;
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(200), [&] {
          return stop || ended || !queue.empty() || status.state == TargetState::Unsupported;
        });
        if (stop || status.state == TargetState::Unsupported) return {};
        if (!queue.empty()) {
          item = std::move(queue.front());
          queue.pop_front();
          queuedBytes -= itemBytes(*item);
          status.framesSent += std::holds_alternative<Frame>(*item) ? 1 : 0;
        } else if (ended) {
          return {};
        }
      }
      if (item) {
        Status s;
        if (auto* f = std::get_if<Frame>(&*item)) {
          s = sendFrame(client, *f);
        } else if (auto* t = std::get_if<TracksItem>(&*item)) {
          tracks = t->tracks;
          s = sendHeaders(client, tracks, lastOutMs, true);
        } else {
          rebase = true;
        }
        if (!s) return s;
      }
      if (auto s = client.service(); !s) return s;
      account();
    }
  }

  void run() {
    int failures = 0;
    for (;;) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock,
                [&] { return stop || ended || (latestTracks && status.state != TargetState::Unsupported); });
        if (stop || ended) break;
      }
      setState(failures ? TargetState::Retrying : TargetState::Connecting);
      RtmpClient client(*url, options, stop);
      Status s = session(client);
      {
        std::lock_guard lock(mu);
        live = false;
        queue.clear();
        queuedBytes = 0;
      }
      if (stop || ended) {
        client.close();
        break;
      }
      if (s) continue;  // HEVC arrived: wait for H.264 tracks again
      ++failures;
      if (failuresMetric) failuresMetric->inc();
      const auto delay = backoff(failures);
      {
        std::lock_guard lock(mu);
        status.failures = failures;
        if (status.state != TargetState::Unsupported) status.state = TargetState::Retrying;
        status.lastError = s.error().code + ": " + s.error().message;
      }
      logger()->warn("[stream={} target={}] {} ({}): retrying in {} ms", stream, target, s.error().message,
                     s.error().code, delay.count());
      if (!waitUntil(clock.steady() + delay)) break;
    }
    setState(TargetState::Stopped);
    logger()->info("[stream={} target={}] stopped", stream, target);
  }
};

Restreamer::Restreamer(std::string stream, const std::string& url, RestreamOptions options,
                       const Clock& clock, metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(stream), url, options, clock, metrics)) {
  if (impl_->url) {
    impl_->thread = hub::loop::namedThread("hub-restream", [this] { impl_->run(); });
  } else {
    logger()->warn("[stream={}] restream target not used: {}", impl_->stream, impl_->status.lastError);
  }
}

Restreamer::~Restreamer() {
  impl_->stop = true;
  {
    std::lock_guard lock(impl_->mu);
    impl_->cv.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Restreamer::tracks(const std::vector<TrackInfo>& tracks) { impl_->onTracks(tracks); }
void Restreamer::frame(const Frame& frame) { impl_->onFrame(frame); }
void Restreamer::discontinuity() { impl_->onDiscontinuity(); }
void Restreamer::end() { impl_->onEnd(); }

RestreamStatus Restreamer::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->status;
}

}  // namespace hub::media::restream
