// core/loop/thread_name.h
//
// Names the calling thread ("hub-http-0", "hub-sql-2"), or starts a thread so named, so top, gdb,
// perf and /proc/PID/task/*/comm show who is busy.
#pragma once

#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace hub::loop {

// Linux keeps at most 15 characters; longer names are cut.
void setThreadName(std::string_view name);

// A thread that names itself `name` and then runs fn.
template <class F>
std::thread namedThread(std::string name, F fn) {
  return std::thread([name = std::move(name), fn = std::move(fn)]() mutable {
    setThreadName(name);
    fn();
  });
}

}  // namespace hub::loop
