// tests/support/fake_platform/fake_platform.cpp
#include "tests/support/fake_platform/fake_platform.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/test_client.h"

namespace hub::test {

FakePlatform::FakePlatform(std::string secret, int delayMs) : secret_(std::move(secret)) {
  std::string portFile = dir_.path() + "/port";
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"python3", HUB_FAKE_PLATFORM_SCRIPT, "--port-file", portFile, "--secret",
                               secret_, "--delay-ms", std::to_string(delayMs)},
      dir_.path() + "/fake_platform.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = readFile(portFile);
    if (!text.empty()) {
      port_ = std::stoi(text);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "fake platform did not start: " << readFile(dir_.path() + "/fake_platform.log");
}

FakePlatform::~FakePlatform() = default;

nlohmann::json FakePlatform::get(const std::string& path) const {
  TestClient c("127.0.0.1", port_);
  auto r = c.request("GET", path);
  if (!r || r->status != 200) {
    ADD_FAILURE() << "fake platform GET " << path << " failed";
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(r->body, nullptr, false);
}

nlohmann::json FakePlatform::posts() const {
  return get("/_fake/posts").value("posts", nlohmann::json::array());
}
nlohmann::json FakePlatform::stats() const { return get("/_fake/stats"); }

void FakePlatform::configure(const nlohmann::json& config) {
  TestClient c("127.0.0.1", port_);
  std::string body = config.dump();
  auto r = c.request("POST", "/_fake/config", "Content-Type: application/json\r\n", body);
  if (!r || r->status != 200) ADD_FAILURE() << "fake platform config failed";
}

void FakePlatform::reset() {
  TestClient c("127.0.0.1", port_);
  auto r = c.request("POST", "/_fake/reset");
  if (!r || r->status != 200) ADD_FAILURE() << "fake platform reset failed";
}

}  // namespace hub::test
