// cms/connectors/tests/scripted_http.h
//
// An HttpClient that answers from a script the test wrote, and keeps every request it was
// sent, so connector logic is tested without sockets.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "cms/connectors/http_client.h"

namespace hub::cms::connectors::test {

inline HttpResponse answer(int status, std::string body) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::Ok;
  r.status = status;
  r.body = std::move(body);
  return r;
}

inline HttpResponse transport(HttpResponse::Transport t) {
  HttpResponse r;
  r.transport = t;
  r.error = "scripted transport failure";
  return r;
}

class ScriptedHttp final : public HttpClient {
 public:
  // Answers by the first rule whose URL fragment the request's URL contains; a rule with
  // `times` > 0 is used that many times, then skipped.
  void on(std::string urlPart, HttpResponse response, int times = 0) {
    rules_.push_back({std::move(urlPart), std::move(response), times});
  }
  HttpResponse send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    sent.push_back(request);
    for (auto& r : rules_) {
      if (request.url.find(r.part) == std::string::npos) continue;
      if (r.times < 0) continue;
      if (r.times > 0 && --r.times == 0) r.times = -1;
      return r.response;
    }
    return answer(404, "{}");
  }
  int count(const std::string& urlPart) const {
    int n = 0;
    for (const auto& s : sent) n += s.url.find(urlPart) != std::string::npos;
    return n;
  }
  std::vector<HttpRequest> sent;

 private:
  struct Rule {
    std::string part;
    HttpResponse response;
    int times;
  };
  std::mutex mu_;
  std::vector<Rule> rules_;
};

}  // namespace hub::cms::connectors::test
