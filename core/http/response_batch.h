// core/http/response_batch.h
//
// Answers completed in a burst on one thread (a batch of asynchronous requests finished at
// once, e.g. after a group commit) reach each HTTP loop under one lock with one wake-up: while a
// ResponseBatch is open on a thread, Responder::send() from that thread queues the response
// here, and the destructor hands each loop its share in one go. A batch opened inside another
// joins the outer one. Without a batch, send() posts at once, as before. Keep a batch short:
// nothing queued in it is sent before it closes.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "core/http/mailbox.h"

namespace hub::http {

class ResponseBatch {
 public:
  ResponseBatch();
  ~ResponseBatch();
  ResponseBatch(const ResponseBatch&) = delete;
  ResponseBatch& operator=(const ResponseBatch&) = delete;

  // The batch open on this thread, if any (the server's Responder uses it).
  static ResponseBatch* current();
  void add(const std::shared_ptr<Mailbox>& mailbox, Mailbox::Item item);

 private:
  ResponseBatch* outer_;
  std::vector<std::pair<std::shared_ptr<Mailbox>, std::vector<Mailbox::Item>>> items_;
};

}  // namespace hub::http
