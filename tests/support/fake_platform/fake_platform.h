// tests/support/fake_platform/fake_platform.h
//
// Starts fake_platform.py (a fake WeChat / Weibo / Douyin / webhook platform) on a free
// loopback port for one test, and reads back what it received. The CMS connectors' base URLs
// point here; no test ever reaches a real platform.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/fixtures.h"

namespace hub::test {

class FakePlatform {
 public:
  explicit FakePlatform(std::string secret = "fake-platform-secret", int delayMs = 0);
  ~FakePlatform();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& secret() const { return secret_; }
  // Every receipt, in arrival order: [{"kind","key","item_id","account_id","id"?,...}].
  nlohmann::json posts() const;
  nlohmann::json stats() const;
  // POST /_fake/config with these fields (delay_ms, fail_next, fail_status, hang_next, ...).
  void configure(const nlohmann::json& config);
  void reset();
  bool running() { return proc_ && proc_->running(); }

 private:
  nlohmann::json get(const std::string& path) const;
  std::string secret_;
  TempDir dir_;
  std::unique_ptr<Process> proc_;
  int port_ = -1;
};

}  // namespace hub::test
