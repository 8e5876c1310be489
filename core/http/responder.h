// core/http/responder.h
//
// The completion handle of an asynchronous handler. Copyable (it can ride in a std::function on
// the worker pool); the first send() wins and later ones are ignored. send() may be called from
// ANY thread: the server hands the response back to the connection's own loop through its
// mailbox and lws_cancel_service. If the client went away meanwhile the response is dropped.
// If every copy dies without send(), a 500 is sent so the client is never left hanging.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "core/http/response.h"

namespace hub::http {

class Responder {
 public:
  using Deliver = std::function<void(Response)>;

  explicit Responder(Deliver deliver);

  void send(Response response) const;
  bool sent() const { return state_->done.load(std::memory_order_acquire); }

 private:
  struct State {
    explicit State(Deliver d) : deliver(std::move(d)) {}
    ~State();
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    Deliver deliver;
    std::atomic<bool> done{false};
  };
  std::shared_ptr<State> state_;
};

}  // namespace hub::http
