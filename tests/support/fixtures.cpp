#include "tests/support/fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace hub::test {
namespace {

std::string readFixture(const std::string& name) {
  const char* dir = std::getenv("HUB_TEST_FIXTURE_DIR");
  if (!dir) {
    ADD_FAILURE() << "HUB_TEST_FIXTURE_DIR is unset: run this test through ctest, which starts "
                     "the "
                  << name << " fixture";
    return {};
  }
  std::ifstream in(std::string(dir) + "/" + name + ".url");
  std::string url;
  if (!(in >> url)) ADD_FAILURE() << "no " << name << " fixture in " << dir << ": did it start?";
  return url;
}

bool pingRedis(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    char buf[16] = {};
    ok = ::write(fd, ping, sizeof ping - 1) == sizeof ping - 1 && ::read(fd, buf, sizeof buf) > 0 &&
         std::string(buf).rfind("+PONG", 0) == 0;
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string redisUrl() { return readFixture("redis"); }
std::string mariadbUrl() { return readFixture("mariadb"); }

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 64) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1";
    return;
  }
  port_ = ntohs(addr.sin_port);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hub-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Process::Process(std::vector<std::string> argv, const std::string& logFile,
                 const std::vector<std::string>& env) {
  const pid_t parent = ::getpid();
  // The kernel's "parent died" is the end of the thread that forked: only the main thread's
  // children get it (a test may start a server from a thread that ends before the server should).
  const bool fromMainThread = ::gettid() == parent;
  pid_ = ::fork();
  if (pid_ == 0) {
    if (fromMainThread) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) std::_Exit(127);  // the parent was already gone
    }
    ::setpgid(0, 0);
    for (const auto& kv : env) {
      auto eq = kv.find('=');
      if (eq != std::string::npos) ::setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
    FILE* out = std::fopen(logFile.c_str(), "a");
    if (out) {
      ::dup2(fileno(out), 1);
      ::dup2(fileno(out), 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
}

Process::~Process() { stop(SIGTERM, 5000); }

bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

int Process::stop(int sig, int timeoutMs) {
  if (!running()) return status_;
  ::kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  status_ = -1;
  return -1;
}

RunResult run(std::vector<std::string> argv, const std::vector<std::string>& env, int timeoutMs) {
  TempDir dir;
  std::string log = dir.path() + "/output";
  RunResult result;
  {
    Process p(std::move(argv), log, env);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (p.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    int status = p.stop(SIGKILL, 1000);
    result.exitCode = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  result.output = readFile(log);
  return result;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

RedisServer::RedisServer() : port_(freePort()) { start(); }
RedisServer::~RedisServer() { stop(); }

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisServer::start() {
  if (proc_ && proc_->running()) return;
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"redis-server", "--bind", "127.0.0.1", "--port", std::to_string(port_),
                               "--save", "", "--appendonly", "no", "--dir", dir_.path()},
      dir_.path() + "/redis.log");
  for (int i = 0; i < 200; ++i) {
    if (pingRedis(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "redis-server did not answer on port " << port_ << " (is it installed?)";
}

void RedisServer::stop() {
  if (proc_) proc_->stop(SIGKILL);
  proc_.reset();
}

}  // namespace hub::test
