// Audio through a real `hub serve`, from real ffmpeg publishers to what its LL-HLS serves: AAC
// is passed through (every AAC frame in the segments is a frame the publisher sent, byte for
// byte), MP3 in FLV is re-encoded to AAC-LC that ffprobe decodes, as long as the video.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/flv_source.h"
#include "tests/integration/hub_process.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"

using namespace hub::test;
using nlohmann::json;

namespace {

// ffmpeg sending the clip as it is (-c copy), in real time.
std::vector<std::string> publishCopy(int rtmpPort, const std::string& key, const std::string& clip) {
  return {"ffmpeg",
          "-hide_banner",
          "-loglevel",
          "error",
          "-nostdin",
          "-re",
          "-i",
          clip,
          "-c",
          "copy",
          "-f",
          "flv",
          "rtmp://127.0.0.1:" + std::to_string(rtmpPort) + "/live/" + key};
}

// The source rendition's init segment and every complete segment listed, as one fMP4 file;
// the sum of their EXTINF.
double saveSegments(HubProcess& hub, const std::string& stream, const std::string& file) {
  const std::string base = "/live/" + stream + "/source/";
  std::istringstream in(get(hub, base + "index.m3u8"));
  std::string init, body;
  double seconds = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-MAP:URI=\"", 0) == 0 && init.empty())
      init = get(hub, base + line.substr(16, line.size() - 17));
    if (line.rfind("#EXTINF:", 0) == 0) seconds += std::stod(line.substr(8));
    if (!line.empty() && line[0] != '#') body += get(hub, base + line);
  }
  std::ofstream(file, std::ios::binary) << init << body;
  return seconds;
}

// size:md5 of every audio packet of `file`, as ffmpeg's framemd5 muxer reads them unchanged.
std::vector<std::string> audioPackets(const std::string& file) {
  auto r = run({"ffmpeg", "-v", "error", "-i", file, "-map", "0:a", "-c", "copy", "-f", "framemd5", "-"});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::vector<std::string> out;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream cols(line);
    for (std::string c; std::getline(cols, c, ',');) f.push_back(c.substr(c.find_first_not_of(' ')));
    if (f.size() == 6) out.push_back(f[4] + ":" + f[5]);
  }
  return out;
}

std::map<std::string, std::string> probeAudio(const std::string& file) {
  auto r =
      run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "a:0", "-show_entries",
           "stream=codec_name,profile,sample_rate,channels,nb_read_frames", "-of", "default=nw=1", file});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  std::map<std::string, std::string> out;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  return out;
}

bool twoSegments(HubProcess& hub, const std::string& stream) {
  auto st = streamStatus(hub, stream);
  return st.contains("renditions") && !st["renditions"].empty() &&
         st["renditions"][0].value("segments", 0) >= 2;
}

}  // namespace

TEST(RtmpAudio, AacFromThePublisherReachesHlsByteForByte) {
  TempDir dir;
  ASSERT_EQ(encodeFlvClip(dir.path() + "/clip.flv", 12, "aac"), "");
  HubProcess hub({"--admin-token", kAdminToken});
  ASSERT_TRUE(hub.waitReady());
  auto key = createStream(hub, "aac");
  Process publisher(publishCopy(hub.rtmpPort(), key, dir.path() + "/clip.flv"), "/dev/null");
  ASSERT_TRUE(waitFor([&] { return twoSegments(hub, "aac"); }, 15000)) << streamStatus(hub, "aac").dump();

  double seconds = saveSegments(hub, "aac", dir.path() + "/hls.mp4");
  ASSERT_GE(seconds, 3.5);
  auto sent = audioPackets(dir.path() + "/clip.flv");
  auto served = audioPackets(dir.path() + "/hls.mp4");
  // 44.1 kHz in 1024-sample frames, for as long as the segments last.
  EXPECT_NEAR(static_cast<double>(served.size()), seconds * 44100 / 1024, 3) << seconds;
  std::set<std::string> sentSet(sent.begin(), sent.end());
  std::size_t unknown = 0;
  for (const auto& p : served) unknown += sentSet.count(p) ? 0 : 1;
  EXPECT_EQ(unknown, 0u) << "AAC frames the publisher never sent: the audio was re-encoded";
  auto a = probeAudio(dir.path() + "/hls.mp4");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["profile"], "LC");
  EXPECT_EQ(a["sample_rate"], "44100");
  EXPECT_EQ(a["channels"], "2");
  EXPECT_EQ(streamStatus(hub, "aac")["audio"]["codec"], "aac");
  EXPECT_EQ(hub.log().find("re-encoded to AAC"), std::string::npos) << hub.log();
  publisher.stop(0, 20000);
}

TEST(RtmpAudio, Mp3IsReencodedToAacThatDecodes) {
  TempDir dir;
  ASSERT_EQ(encodeFlvClip(dir.path() + "/clip.flv", 12, "libmp3lame"), "");
  HubProcess hub({"--admin-token", kAdminToken});
  ASSERT_TRUE(hub.waitReady());
  auto key = createStream(hub, "mp3");
  Process publisher(publishCopy(hub.rtmpPort(), key, dir.path() + "/clip.flv"), "/dev/null");
  ASSERT_TRUE(waitFor([&] { return twoSegments(hub, "mp3"); }, 15000))
      << streamStatus(hub, "mp3").dump() << hub.log();

  // The status says what the publisher sends; viewers get AAC.
  auto st = streamStatus(hub, "mp3");
  EXPECT_EQ(st["audio"]["codec"], "mp3") << st.dump();
  EXPECT_EQ(st["audio"]["sample_rate"], 44100);
  auto master = get(hub, "/live/mp3/master.m3u8");
  EXPECT_NE(master.find(",mp4a.40.2\""), std::string::npos) << master;
  double seconds = saveSegments(hub, "mp3", dir.path() + "/hls.mp4");
  ASSERT_GE(seconds, 3.5);
  auto a = probeAudio(dir.path() + "/hls.mp4");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["profile"], "LC");
  EXPECT_EQ(a["sample_rate"], "44100");
  EXPECT_EQ(a["channels"], "2");
  // Every AAC frame decodes, and together they last as long as the segments (within 3 frames).
  ASSERT_FALSE(a["nb_read_frames"].empty());
  EXPECT_NEAR(std::stod(a["nb_read_frames"]), seconds * 44100 / 1024, 3) << seconds;
  auto decode =
      run({"ffmpeg", "-v", "error", "-i", dir.path() + "/hls.mp4", "-map", "0:a", "-f", "null", "-"});
  EXPECT_EQ(decode.exitCode, 0);
  EXPECT_EQ(decode.output, "");
  EXPECT_NE(hub.log().find("re-encoded to AAC-LC"), std::string::npos) << hub.log();
  publisher.stop(0, 20000);
}
