// tests/integration/flv_source.cpp
//
// See flv_source.h. The FLV container is simple enough to walk here: a 9-byte header, then
// tags (type, 24-bit size, 24+8-bit timestamp, stream id, body) each followed by its size.
#include "tests/integration/flv_source.h"

#include <gtest/gtest.h>

#include <optional>

#include "media/rtmp/flv_tags.h"
#include "tests/support/fixtures.h"

namespace hub::test {

using media::Codec;
using media::Frame;
using media::TrackInfo;

FlvClip readFlv(const std::string& path) {
  FlvClip clip;
  const std::string file = readFile(path);
  auto owner = std::make_shared<const std::vector<std::uint8_t>>(file.begin(), file.end());
  const auto& b = *owner;
  if (b.size() < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') {
    ADD_FAILURE() << "not an FLV file: " << path;
    return clip;
  }
  std::size_t pos = media::rtmp::readU32(b.data() + 5) + 4;
  std::optional<TrackInfo> video, audio;
  while (pos + 11 <= b.size()) {
    const std::uint8_t type = b[pos] & 0x1f;
    const std::size_t size = media::rtmp::readU24(b.data() + pos + 1);
    const std::int64_t ts = static_cast<std::int64_t>(media::rtmp::readU24(b.data() + pos + 4)) |
                            static_cast<std::int64_t>(b[pos + 7]) << 24;
    const std::size_t body = pos + 11;
    if (body + size > b.size()) break;
    const media::rtmp::ByteView view(b.data() + body, size);
    if (type == 9) {
      auto tag = media::rtmp::parseVideoTag(view);
      EXPECT_TRUE(tag) << tag.error().message;
      if (!tag) return clip;
      if (tag->packet == media::rtmp::VideoPacket::SequenceHeader) {
        video = TrackInfo{};
        video->codec = Codec::H264;
        video->codecData.assign(tag->data.begin(), tag->data.end());
        video->width = 640;
        video->height = 360;
        video->frameRate = 30;
      } else if (tag->packet == media::rtmp::VideoPacket::Frames && !tag->data.empty()) {
        Frame f;
        f.codec = Codec::H264;
        f.dtsUs = ts * 1000;
        f.ptsUs = (ts + tag->compositionTime) * 1000;
        f.keyFrame = tag->keyFrame;
        f.data = {owner, static_cast<std::size_t>(tag->data.data() - b.data()), tag->data.size()};
        f.wallClock = std::chrono::system_clock::now();
        clip.frames.push_back(f);
        clip.videoFrames++;
      }
    } else if (type == 8) {
      auto tag = media::rtmp::parseAudioTag(view);
      EXPECT_TRUE(tag) << tag.error().message;
      if (!tag) return clip;
      if (tag->packet == media::rtmp::AudioTag::Packet::SequenceHeader) {
        audio = TrackInfo{};
        audio->codec = Codec::Aac;
        audio->codecData.assign(tag->data.begin(), tag->data.end());
        audio->sampleRate = static_cast<int>(tag->config.sampleRate);
        audio->channels = tag->config.channels;
      } else if (!tag->data.empty()) {
        Frame f;
        f.codec = Codec::Aac;
        f.dtsUs = f.ptsUs = ts * 1000;
        f.keyFrame = true;
        f.data = {owner, static_cast<std::size_t>(tag->data.data() - b.data()), tag->data.size()};
        f.wallClock = std::chrono::system_clock::now();
        clip.frames.push_back(f);
        clip.audioFrames++;
      }
    }
    pos = body + size + 4;
  }
  if (video) clip.tracks.push_back(*video);
  if (audio) clip.tracks.push_back(*audio);
  return clip;
}

std::string encodeFlvClip(const std::string& path, int seconds, const std::string& audioCodec) {
  auto r = run({"ffmpeg",   "-v",
                "error",    "-y",
                "-f",       "lavfi",
                "-i",       "testsrc2=size=640x360:rate=30",
                "-f",       "lavfi",
                "-i",       "sine=frequency=440:sample_rate=44100",
                "-t",       std::to_string(seconds),
                "-c:v",     "libx264",
                "-preset",  "ultrafast",
                "-g",       "30",
                "-pix_fmt", "yuv420p",
                "-c:a",     audioCodec,
                "-b:a",     "64k",
                "-ac",      "2",
                "-f",       "flv",
                path},
               {}, 60000);
  return r.exitCode == 0 ? "" : r.output;
}

FlvClip makeFlvClip(const std::string& dir, int seconds) {
  const std::string path = dir + "/clip.flv";
  const std::string failed = encodeFlvClip(path, seconds);
  EXPECT_EQ(failed, "");
  if (!failed.empty()) return {};
  return readFlv(path);
}

}  // namespace hub::test
