// core/http/responder.cpp
//
// An exchange flag guards the single delivery; the destructor's 500 covers handlers that lost
// their Responder on an error path (a thrown task, a full queue they forgot to answer).
#include "core/http/responder.h"

#include <utility>

namespace hub::http {

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::send(Response response) const {
  if (state_->done.exchange(true, std::memory_order_acq_rel)) return;
  state_->deliver(std::move(response));
}

Responder::State::~State() {
  if (!done.load(std::memory_order_acquire) && deliver)
    deliver(Response::error(500, "internal", "handler finished without a response"));
}

}  // namespace hub::http
