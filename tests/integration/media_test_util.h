// tests/integration/media_test_util.h
//
// What media integration tests share: the admin token they start the hub with, stream creation
// and status through the API, polling, and the command lines of real publishers (ffmpeg with a
// test pattern and a tone; GStreamer's flvmux ! rtmp2sink).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/hub_process.h"

namespace hub::test {

inline constexpr const char* kAdminToken = "test-admin-token-0123456789";

// GET on the hub's HTTP port with the admin token; the body ("" on failure).
std::string get(HubProcess& hub, const std::string& path);
// POST /api/v1/streams {"name": name}; the new stream's key ("" on failure, with a test failure).
std::string createStream(HubProcess& hub, const std::string& name, const std::string& title = "");
// The "status" object of GET /api/v1/streams/:name (null on failure).
nlohmann::json streamStatus(HubProcess& hub, const std::string& name);
// Polls `pred` every 50 ms until it holds or `timeoutMs` passed.
bool waitFor(const std::function<bool()>& pred, int timeoutMs);

// ffmpeg publishing `seconds` of 640x360 30 fps H.264 (1 s GOPs) + 44.1 kHz AAC in real time;
// `extra` goes before the output (e.g. "-vn", "-an").
std::vector<std::string> ffmpegPublishArgs(int rtmpPort, const std::string& key, int seconds,
                                           const std::string& extra = "");
// gst-launch-1.0 publishing `frames` of 320x240 30 fps H.264 + AAC with rtmp2sink chunk-size.
std::vector<std::string> gstPublishArgs(int rtmpPort, const std::string& key, int chunkSize, int frames);

}  // namespace hub::test
