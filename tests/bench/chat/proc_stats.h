// tests/bench/chat/proc_stats.h
//
// What the benchmark reads about the servers under test from /proc: CPU seconds used
// (utime + stime of /proc/PID/stat), resident memory (VmRSS of /proc/PID/status) and context
// switches of every thread (/proc/PID/task/TID/status), summed over a list of processes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hub::bench {

inline double cpuSeconds(const std::vector<int>& pids) {
  static const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double total = 0;
  for (int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    // The command name may hold spaces; the fields after its closing parenthesis are fixed.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    total += static_cast<double>(utime + stime) / tick;
  }
  return total;
}

inline long rssKiB(const std::vector<int>& pids) {
  long total = 0;
  for (int pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("VmRSS:", 0) == 0) total += std::stol(line.substr(6));
  }
  return total;
}

// Voluntary and involuntary context switches of every thread: an event loop's wake-up from its
// wait is one (and a preemption another).
inline unsigned long long contextSwitches(const std::vector<int>& pids) {
  unsigned long long total = 0;
  for (int pid : pids) {
    std::error_code ec;
    for (const auto& task :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
      std::ifstream in(task.path() / "status");
      for (std::string line; std::getline(in, line);)
        if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
            line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
          total += std::stoull(line.substr(line.find(':') + 1));
    }
  }
  return total;
}

}  // namespace hub::bench
