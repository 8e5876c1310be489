// tests/integration/hub_process.h
//
// A real `hub serve` on free loopback ports with its own data dir, for tests that treat the
// hub as a black box: start it with extra flags and environment, wait until it answers, read
// what it logged, send it a signal and collect its exit code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"

namespace hub::test {

class HubProcess {
 public:
  explicit HubProcess(std::vector<std::string> extraArgs = {}, std::vector<std::string> env = {});
  // Waits until /healthz answers 200 (false after timeoutMs, or when the process died).
  bool waitReady(int timeoutMs = 15000);
  int httpPort() const { return httpPort_; }
  int rtmpPort() const { return rtmpPort_; }
  // The hub's --data-dir (for `hub stream ...` against the same database).
  std::string dataDir() const { return dir_.path() + "/data"; }
  std::string log() const;
  // SIGTERM, then the exit code (-1 when it had to be killed).
  int terminate(int timeoutMs = 15000);
  bool running() { return proc_->running(); }
  int pid() const { return proc_->pid(); }

 private:
  TempDir dir_;
  int httpPort_;
  int rtmpPort_;
  std::unique_ptr<Process> proc_;
};

}  // namespace hub::test
