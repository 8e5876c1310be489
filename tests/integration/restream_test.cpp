// tests/integration/restream_test.cpp
//
// The restreamer against real receivers: nginx with the RTMP module records what it gets and
// ffprobe/ffmpeg check it decodes with the frames we sent; targets that refuse, reset or never
// answer are retried with backoff while the stream's thread and the other targets go on.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/metrics/registry.h"
#include "media/restream/restreamer.h"
#include "tests/integration/flv_source.h"
#include "tests/support/fixtures.h"

namespace hub::media::restream {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kRtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

// nginx with the RTMP module on a free loopback port, recording every published stream as FLV.
class NginxRtmp {
 public:
  NginxRtmp(const std::string& dir, int port) : dir_(dir), port_(port) {
    EXPECT_TRUE(fs::exists(kRtmpModule)) << "nginx's RTMP module is not installed";
    fs::create_directories(dir_ + "/rec");
    std::ofstream(dir_ + "/nginx.conf") << "load_module " << kRtmpModule << ";\n"
                                        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
                                        << "pid " << dir_ << "/nginx.pid;\n"
                                        << "error_log " << dir_ << "/error.log info;\n"
                                        << "events { worker_connections 64; }\n"
                                        << "rtmp { server { listen 127.0.0.1:" << port_ << ";\n"
                                        << "  application app { live on; record all; record_unique on;\n"
                                        << "    record_path " << dir_ << "/rec; } } }\n";
    start();
  }
  void start() {
    process_ = std::make_unique<test::Process>(
        std::vector<std::string>{"nginx", "-p", dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf"},
        dir_ + "/stdout.log");
    waitListening();
  }
  void kill() { process_.reset(); }
  // Waits until nginx has taken in everything sent (its recordings stop growing), then stops it.
  void stop() {
    if (!process_) return;
    std::uintmax_t last = 0;
    for (int quiet = 0, i = 0; quiet < 5 && i < 200; ++i) {
      std::uintmax_t total = 0;
      for (const auto& r : recordings()) total += fs::file_size(r);
      quiet = total == last ? quiet + 1 : 0;
      last = total;
      std::this_thread::sleep_for(100ms);
    }
    process_.reset();
  }
  int port() const { return port_; }
  std::string url(const std::string& name) const {
    return "rtmp://127.0.0.1:" + std::to_string(port_) + "/app/" + name;
  }
  // The recordings, oldest first.
  std::vector<std::string> recordings() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ + "/rec")) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  void waitListening() {
    for (int i = 0; i < 100; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<std::uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      ::close(fd);
      if (ok) return;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "nginx did not listen: " << test::readFile(dir_ + "/error.log");
  }

  std::string dir_;
  int port_;
  std::unique_ptr<test::Process> process_;
};

// A listener that accepts and at once resets the connection.
class ResettingListener {
 public:
  ResettingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      while (!stop_) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        linger l{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        ::close(c);
        accepted_++;
      }
    });
  }
  ~ResettingListener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

RestreamOptions fastRetry() {
  RestreamOptions o;
  o.connectTimeout = 500ms;
  o.sendTimeout = 1000ms;
  o.backoffInitial = 50ms;
  o.backoffMax = 200ms;
  return o;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

struct Probe {
  int videoPackets = 0, audioPackets = 0;
  std::string videoCodec, audioCodec;
  int width = 0, height = 0;
  std::string output;
};

Probe probe(const std::string& path) {
  Probe p;
  auto r = test::run({"ffprobe", "-v", "error", "-count_packets", "-show_entries",
                      "stream=codec_type,codec_name,width,height,nb_read_packets", "-of", "compact=p=0:nk=0",
                      path});
  p.output = r.output;
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    auto field = [&](const std::string& key) {
      auto at = line.find(key + "=");
      if (at == std::string::npos) return std::string();
      auto end = line.find('|', at);
      return line.substr(at + key.size() + 1,
                         end == std::string::npos ? std::string::npos : end - at - key.size() - 1);
    };
    if (field("codec_type") == "video") {
      p.videoCodec = field("codec_name");
      p.width = std::atoi(field("width").c_str());
      p.height = std::atoi(field("height").c_str());
      p.videoPackets = std::atoi(field("nb_read_packets").c_str());
    } else if (field("codec_type") == "audio") {
      p.audioCodec = field("codec_name");
      p.audioPackets = std::atoi(field("nb_read_packets").c_str());
    }
  }
  return p;
}

// Decodes every frame; returns ffmpeg's complaints ("" when it decoded cleanly).
std::string decodeErrors(const std::string& path) {
  auto r = test::run({"ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return r.output;
}

// Feeds `clip` into `sinks` as a stream's thread would; returns the longest single call.
std::chrono::microseconds feed(const test::FlvClip& clip, const std::vector<FrameSink*>& sinks,
                               std::chrono::microseconds pace = 0us) {
  std::chrono::microseconds worst{0};
  for (const auto& f : clip.frames) {
    for (auto* s : sinks) {
      const auto t0 = std::chrono::steady_clock::now();
      s->frame(f);
      worst = std::max(worst, std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - t0));
    }
    if (pace.count() && f.codec == Codec::H264) std::this_thread::sleep_for(pace);
  }
  return worst;
}

TEST(Restreamer, ForwardsSourceTracksToNginxWithoutReencoding) {
  test::TempDir dir;
  const auto clip = test::makeFlvClip(dir.path(), 3);
  ASSERT_EQ(clip.tracks.size(), 2u);
  NginxRtmp nginx(dir.path() + "/nginx", test::freePort());
  metrics::Registry registry;

  Restreamer r("gala", nginx.url("douyin-secret"), fastRetry(), SystemClock::instance(), &registry);
  EXPECT_EQ(r.status().target, "rtmp://127.0.0.1:" + std::to_string(nginx.port()) + "/app/***");
  r.tracks(clip.tracks);
  ASSERT_TRUE(eventually([&] { return r.status().state == TargetState::Live; })) << r.status().lastError;
  feed(clip, {&r});
  r.end();
  ASSERT_TRUE(eventually([&] { return r.status().state == TargetState::Stopped; }));

  // A target starts at a video key frame: what comes before the first one is not sent.
  const auto first = std::find_if(clip.frames.begin(), clip.frames.end(),
                                  [](const Frame& f) { return f.codec == Codec::H264 && f.keyFrame; });
  const auto skipped = static_cast<std::size_t>(first - clip.frames.begin());
  const auto st = r.status();
  EXPECT_EQ(st.framesDropped, skipped);
  EXPECT_EQ(st.framesSent, clip.frames.size() - skipped);
  EXPECT_GT(st.bytesSent, 100000u);
  EXPECT_EQ(st.connects, 1);
  EXPECT_NE(registry.render().find("hub_restream_sent_bytes_total{stream=\"gala\"}"), std::string::npos);

  ASSERT_TRUE(eventually([&] { return nginx.recordings().size() == 1; }));
  const auto rec = nginx.recordings().front();
  EXPECT_NE(rec.find("douyin-secret"), std::string::npos);  // published under the URL's stream name
  nginx.stop();                                             // flushes the recording
  const auto p = probe(rec);
  EXPECT_EQ(p.videoCodec, "h264") << p.output;
  EXPECT_EQ(p.width, 640);
  EXPECT_EQ(p.height, 360);
  EXPECT_EQ(p.audioCodec, "aac");
  // Every frame arrived as it was: no re-encoding, nothing lost.
  EXPECT_EQ(p.videoPackets, clip.videoFrames);
  EXPECT_EQ(p.audioPackets, clip.audioFrames - static_cast<int>(skipped));
  EXPECT_EQ(decodeErrors(rec), "");
}

TEST(Restreamer, RefusingAndResettingTargetsRetryWithoutDisturbingTheStreamOrOtherTargets) {
  test::TempDir dir;
  const auto clip = test::makeFlvClip(dir.path(), 2);
  NginxRtmp nginx(dir.path() + "/nginx", test::freePort());
  ResettingListener resetting;
  test::SilentListener silent;

  Restreamer good("gala", nginx.url("bilibili"), fastRetry(), SystemClock::instance());
  Restreamer refused("gala", "rtmp://127.0.0.1:" + std::to_string(test::freePort()) + "/live/kuaishou",
                     fastRetry(), SystemClock::instance());
  Restreamer reset("gala", "rtmp://127.0.0.1:" + std::to_string(resetting.port()) + "/live/wechat",
                   fastRetry(), SystemClock::instance());
  Restreamer mute("gala", "rtmp://127.0.0.1:" + std::to_string(silent.port()) + "/live/toutiao", fastRetry(),
                  SystemClock::instance());
  std::vector<FrameSink*> sinks{&refused, &reset, &mute, &good};
  for (auto* s : sinks) s->tracks(clip.tracks);
  ASSERT_TRUE(eventually([&] { return good.status().state == TargetState::Live; }))
      << good.status().lastError;

  // Real-time pace: the failing targets keep failing meanwhile.
  const auto worst = feed(clip, sinks, 33ms);
  // Far below the targets' 500 ms connect timeout: nobody waited on a socket (the margin is
  // for a loaded test machine descheduling the thread).
  EXPECT_LT(worst, 250ms) << "a frame() call waited on a target";
  for (auto* s : sinks) s->end();

  const auto refusedStatus = refused.status();
  EXPECT_GE(refusedStatus.failures, 3);
  EXPECT_NE(refusedStatus.lastError.find("restream.connect"), std::string::npos) << refusedStatus.lastError;
  EXPECT_NE(refusedStatus.lastError.find("refused"), std::string::npos) << refusedStatus.lastError;
  EXPECT_EQ(refusedStatus.bytesSent, 0u);

  const auto resetStatus = reset.status();
  EXPECT_GE(resetStatus.failures, 3);
  EXPECT_GE(resetting.accepted(), 3);
  EXPECT_NE(resetStatus.lastError.find("reset by peer"), std::string::npos) << resetStatus.lastError;

  const auto muteStatus = mute.status();
  EXPECT_GE(muteStatus.failures, 2);
  EXPECT_NE(muteStatus.lastError.find("restream.timeout"), std::string::npos) << muteStatus.lastError;

  ASSERT_TRUE(eventually([&] { return good.status().state == TargetState::Stopped; }));
  EXPECT_LE(good.status().framesDropped, 1u);  // at most an audio frame before the first key frame
  EXPECT_EQ(good.status().failures, 0);
  nginx.stop();
  ASSERT_EQ(nginx.recordings().size(), 1u);
  EXPECT_EQ(probe(nginx.recordings().front()).videoPackets, clip.videoFrames);
}

TEST(Restreamer, ReconnectsAfterTheTargetRestartsAndStartsAgainFromAKeyFrame) {
  test::TempDir dir;
  const auto clip = test::makeFlvClip(dir.path(), 5);
  NginxRtmp nginx(dir.path() + "/nginx", test::freePort());
  Restreamer r("gala", nginx.url("weibo"), fastRetry(), SystemClock::instance());
  r.tracks(clip.tracks);
  ASSERT_TRUE(eventually([&] { return r.status().state == TargetState::Live; }));

  std::thread restarter([&] {
    std::this_thread::sleep_for(1500ms);
    nginx.kill();
    std::this_thread::sleep_for(300ms);
    nginx.start();
  });
  feed(clip, {&r}, 33ms);
  restarter.join();
  r.end();
  ASSERT_TRUE(eventually([&] { return r.status().state == TargetState::Stopped; }));
  nginx.stop();

  const auto st = r.status();
  EXPECT_EQ(st.connects, 2);
  EXPECT_GE(st.failures, 1);
  EXPECT_GT(st.framesDropped, 0u);  // while the target was down
  const auto recs = nginx.recordings();
  ASSERT_EQ(recs.size(), 2u);
  // The second connection starts with the sequence headers and a key frame: it decodes cleanly.
  const auto second = probe(recs[1]);
  EXPECT_EQ(second.videoCodec, "h264");
  EXPECT_GT(second.videoPackets, 30);
  EXPECT_EQ(decodeErrors(recs[1]), "");
}

}  // namespace
}  // namespace hub::media::restream
