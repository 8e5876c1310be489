// media/hls/tests/flv_clip.cpp
//
// FLV file container walking (header, tags, previous-tag sizes); the tag bodies are parsed by
// media/rtmp's FLV tag parser, as ingest does.
#include "media/hls/tests/flv_clip.h"

#include <chrono>
#include <memory>

#include "media/rtmp/flv_tags.h"
#include "tests/support/fixtures.h"

namespace hub::media::hls::test {

std::string encodeClip(const std::string& path, int width, int height, int fps, int gop, double seconds,
                       bool video, bool audio) {
  std::vector<std::string> argv = {"ffmpeg", "-v", "error", "-y"};
  if (video) {
    auto size = std::to_string(width) + "x" + std::to_string(height);
    argv.insert(argv.end(), {"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + std::to_string(fps)});
  }
  if (audio) argv.insert(argv.end(), {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"});
  argv.insert(argv.end(), {"-t", std::to_string(seconds)});
  if (video)
    argv.insert(argv.end(),
                {"-c:v", "libx264", "-preset", "ultrafast", "-g", std::to_string(gop), "-keyint_min",
                 std::to_string(gop), "-sc_threshold", "0", "-bf", "2", "-pix_fmt", "yuv420p"});
  if (audio) argv.insert(argv.end(), {"-c:a", "aac", "-ac", "2", "-b:a", "96k"});
  argv.insert(argv.end(), {"-f", "flv", path});
  auto r = hub::test::run(argv, {}, 60000);
  return r.exitCode == 0 ? std::string() : "ffmpeg failed: " + r.output;
}

FlvClip readFlv(const std::string& path, int width, int height, double fps) {
  FlvClip clip;
  auto text = hub::test::readFile(path);
  auto buf = std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end());
  const auto& b = *buf;
  if (b.size() < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') {
    clip.error = "not an FLV file: " + path;
    return clip;
  }
  std::size_t pos = (std::size_t(b[5]) << 24 | std::size_t(b[6]) << 16 | std::size_t(b[7]) << 8 | b[8]) + 4;
  TrackInfo video, audio;
  bool haveVideo = false, haveAudio = false;
  auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  while (pos + 11 <= b.size()) {
    int type = b[pos];
    std::size_t size = std::size_t(b[pos + 1]) << 16 | std::size_t(b[pos + 2]) << 8 | b[pos + 3];
    std::int64_t ts = std::int64_t(b[pos + 7]) << 24 | std::int64_t(b[pos + 4]) << 16 |
                      std::int64_t(b[pos + 5]) << 8 | b[pos + 6];
    std::size_t body = pos + 11;
    if (body + size > b.size()) break;
    rtmp::ByteView view(b.data() + body, size);
    auto payload = [&](rtmp::ByteView d) {
      return Payload{buf, static_cast<std::size_t>(d.data() - b.data()), d.size()};
    };
    if (type == 9) {
      auto tag = rtmp::parseVideoTag(view);
      if (!tag.ok()) {
        clip.error = tag.error().message;
        return clip;
      }
      if (tag->packet == rtmp::VideoPacket::SequenceHeader) {
        video.codec = tag->codec == rtmp::VideoCodec::Hevc ? Codec::Hevc : Codec::H264;
        video.codecData.assign(tag->data.begin(), tag->data.end());
        video.width = width;
        video.height = height;
        video.frameRate = fps;
        haveVideo = true;
      } else if (tag->packet == rtmp::VideoPacket::Frames && !tag->data.empty()) {
        Frame f;
        f.codec = video.codec;
        f.dtsUs = ts * 1000;
        f.ptsUs = (ts + tag->compositionTime) * 1000;
        f.keyFrame = tag->keyFrame;
        f.data = payload(tag->data);
        f.wallClock = wall + std::chrono::milliseconds(ts);
        clip.frames.push_back(f);
      }
    } else if (type == 8) {
      auto tag = rtmp::parseAudioTag(view);
      if (!tag.ok()) {
        clip.error = tag.error().message;
        return clip;
      }
      if (tag->packet == rtmp::AudioTag::Packet::SequenceHeader) {
        audio.codec = Codec::Aac;
        audio.codecData.assign(tag->data.begin(), tag->data.end());
        audio.sampleRate = static_cast<int>(tag->config.sampleRate);
        audio.channels = tag->config.channels;
        haveAudio = true;
      } else if (!tag->data.empty()) {
        Frame f;
        f.codec = Codec::Aac;
        f.dtsUs = f.ptsUs = ts * 1000;
        f.keyFrame = true;
        f.data = payload(tag->data);
        f.wallClock = wall + std::chrono::milliseconds(ts);
        clip.frames.push_back(f);
      }
    }
    pos = body + size + 4;
  }
  if (haveVideo) clip.tracks.push_back(video);
  if (haveAudio) clip.tracks.push_back(audio);
  if (clip.tracks.empty()) clip.error = "no tracks in " + path;
  return clip;
}

}  // namespace hub::media::hls::test
