#include "tests/integration/hub_process.h"

#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/support/test_client.h"

namespace hub::test {

HubProcess::HubProcess(std::vector<std::string> extraArgs, std::vector<std::string> env)
    : httpPort_(freePort()), rtmpPort_(freePort()) {
  std::vector<std::string> argv = {HUB_BINARY,      "serve",
                                   "--http-listen", "127.0.0.1:" + std::to_string(httpPort_),
                                   "--rtmp-listen", "127.0.0.1:" + std::to_string(rtmpPort_),
                                   "--data-dir",    dir_.path() + "/data"};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  // The demo channel stays off unless the test asks for it.
  bool demoSet = false;
  for (const auto& e : env) demoSet = demoSet || e.rfind("HUB_DEMO=", 0) == 0;
  if (!demoSet) env.push_back("HUB_DEMO=0");
  proc_ = std::make_unique<Process>(argv, dir_.path() + "/hub.log", env);
}

bool HubProcess::waitReady(int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!proc_->running()) return false;
    TestClient c("127.0.0.1", httpPort_);
    if (c.connected()) {
      auto r = c.request("GET", "/healthz");
      if (r && r->status == 200) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string HubProcess::log() const { return readFile(dir_.path() + "/hub.log"); }

int HubProcess::terminate(int timeoutMs) {
  int status = proc_->stop(SIGTERM, timeoutMs);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace hub::test
