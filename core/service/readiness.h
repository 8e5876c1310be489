// core/service/readiness.h
//
// Readiness checks services add to /readyz: each has a name and answers "" when ready, else the
// reason it is not (shown in /readyz's "checks", which is then 503). Checks run on a worker
// thread at every /readyz request and must be quick (read a state, no network round trip).
// Thread-safe; a service adds its checks in start() and they stay for the life of the process,
// so a check must stay safe to call after its service stopped.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hub::service {

class Readiness {
 public:
  using Check = std::function<std::string()>;  // "" = ready, else why not

  void add(std::string name, Check check) {
    std::lock_guard lock(mu_);
    checks_.emplace_back(std::move(name), std::move(check));
  }

  // Every check's name and answer, in the order added.
  std::vector<std::pair<std::string, std::string>> run() const {
    std::vector<std::pair<std::string, Check>> checks;
    {
      std::lock_guard lock(mu_);
      checks = checks_;
    }
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(checks.size());
    for (auto& [name, check] : checks) out.emplace_back(name, check());
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace hub::service
