// tests/support/fixtures.h
//
// What a test needs to reach the servers the ctest fixtures started for this run, and to start
// throwaway processes of its own. A server that is not there is a failure, never a skip.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace hub::test {

// "redis://127.0.0.1:PORT" of this run's Redis; fails the current test when absent.
std::string redisUrl();
// "mysql://hub:hubtest@127.0.0.1:PORT/hub_test" of this run's MariaDB; fails when absent.
std::string mariadbUrl();

// A port nobody listens on right now (bound to 127.0.0.1:0 and released).
int freePort();

// A socket listening on 127.0.0.1 that never accepts: connects succeed (the kernel's backlog)
// and then nothing answers. Also holds its port, for "address in use" tests.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = -1;
};

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process (argv[0] looked up in PATH), killed with SIGTERM then SIGKILL when destroyed;
// one started from the main thread is also killed by the kernel when the test process ends
// without (a test killed by ctest's timeout leaves no orphan). `env` entries ("HUB_DEMO=0") are
// added to the inherited environment; stdout and stderr go to `logFile`.
class Process {
 public:
  explicit Process(std::vector<std::string> argv, const std::string& logFile = "/dev/null",
                   const std::vector<std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int pid() const { return pid_; }
  bool running();
  // Sends `sig`, waits for the exit (at most timeoutMs), returns the exit status or -1.
  int stop(int sig = 15, int timeoutMs = 10000);

 private:
  int pid_ = -1;
  int status_ = -1;
};

// Runs a command to completion (killed after timeoutMs) and returns its exit code (-1 when it
// was killed or died of a signal) and everything it wrote to stdout and stderr.
struct RunResult {
  int exitCode = -1;
  std::string output;
};
RunResult run(std::vector<std::string> argv, const std::vector<std::string>& env = {}, int timeoutMs = 30000);

// The whole content of a file ("" when it cannot be read).
std::string readFile(const std::string& path);

// A private redis-server on a free loopback port, for tests that stop and restart Redis.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  std::string url() const;
  int port() const { return port_; }
  void start();  // blocks until it answers PING (fails the test after 10 s)
  void stop();

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> proc_;
};

}  // namespace hub::test
