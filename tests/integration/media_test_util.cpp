#include "tests/integration/media_test_util.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/test_client.h"

namespace hub::test {

std::string get(HubProcess& hub, const std::string& path) {
  TestClient c("127.0.0.1", hub.httpPort());
  auto r = c.request("GET", path, std::string("Authorization: Bearer ") + kAdminToken + "\r\n");
  return r ? r->body : "";
}

std::string createStream(HubProcess& hub, const std::string& name, const std::string& title) {
  TestClient c("127.0.0.1", hub.httpPort());
  nlohmann::json body = {{"name", name}, {"title", title}};
  auto r = c.request(
      "POST", "/api/v1/streams",
      std::string("Authorization: Bearer ") + kAdminToken + "\r\nContent-Type: application/json\r\n",
      body.dump());
  if (!r || r->status != 201) {
    ADD_FAILURE() << "creating stream " << name << ": "
                  << (r ? std::to_string(r->status) + " " + r->body : "no answer");
    return "";
  }
  return nlohmann::json::parse(r->body, nullptr, false).value("key", "");
}

nlohmann::json streamStatus(HubProcess& hub, const std::string& name) {
  auto j = nlohmann::json::parse(get(hub, "/api/v1/streams/" + name), nullptr, false);
  if (!j.is_object() || !j.contains("status")) return nlohmann::json::object();
  return j["status"];
}

bool waitFor(const std::function<bool()>& pred, int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

std::vector<std::string> ffmpegPublishArgs(int rtmpPort, const std::string& key, int seconds,
                                           const std::string& extra) {
  std::vector<std::string> a = {"ffmpeg",    "-hide_banner",
                                "-loglevel", "error",
                                "-nostdin",  "-re",
                                "-f",        "lavfi",
                                "-i",        "testsrc2=size=640x360:rate=30",
                                "-f",        "lavfi",
                                "-i",        "sine=frequency=440:sample_rate=44100",
                                "-t",        std::to_string(seconds),
                                "-c:v",      "libx264",
                                "-preset",   "ultrafast",
                                "-tune",     "zerolatency",
                                "-g",        "30",
                                "-pix_fmt",  "yuv420p",
                                "-c:a",      "aac"};
  if (!extra.empty()) a.push_back(extra);
  a.insert(a.end(), {"-f", "flv", "rtmp://127.0.0.1:" + std::to_string(rtmpPort) + "/live/" + key});
  return a;
}

std::vector<std::string> gstPublishArgs(int rtmpPort, const std::string& key, int chunkSize, int frames) {
  std::string location = "rtmp://127.0.0.1:" + std::to_string(rtmpPort) + "/live/" + key;
  std::string pipeline =
      "videotestsrc is-live=true num-buffers=" + std::to_string(frames) +
      " ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast "
      "key-int-max=30 ! h264parse ! queue ! flvmux name=m streamable=true ! rtmp2sink location=" +
      location + " chunk-size=" + std::to_string(chunkSize) +
      " audiotestsrc is-live=true num-buffers=" + std::to_string(frames * 44100 / 30 / 1024) +
      " samplesperbuffer=1024 ! audio/x-raw,rate=44100 ! avenc_aac ! aacparse ! queue ! m.";
  std::vector<std::string> args = {"gst-launch-1.0", "-q", "-e"};
  std::string word;
  for (char ch : pipeline) {
    if (ch == ' ') {
      if (!word.empty()) args.push_back(word);
      word.clear();
    } else {
      word += ch;
    }
  }
  if (!word.empty()) args.push_back(word);
  return args;
}

}  // namespace hub::test
