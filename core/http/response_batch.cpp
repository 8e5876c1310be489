// core/http/response_batch.cpp
//
// The thread's open batch, and its hand-over: one Mailbox::postMany per loop.
#include "core/http/response_batch.h"

namespace hub::http {
namespace {
thread_local ResponseBatch* tCurrent = nullptr;
}  // namespace

ResponseBatch::ResponseBatch() : outer_(tCurrent) {
  if (!outer_) tCurrent = this;
}

ResponseBatch::~ResponseBatch() {
  if (outer_) return;
  tCurrent = nullptr;
  for (auto& [mailbox, items] : items_) mailbox->postMany(std::move(items));
}

ResponseBatch* ResponseBatch::current() { return tCurrent; }

void ResponseBatch::add(const std::shared_ptr<Mailbox>& mailbox, Mailbox::Item item) {
  for (auto& [m, items] : items_) {
    if (m == mailbox) {
      items.push_back(std::move(item));
      return;
    }
  }
  items_.emplace_back(mailbox, std::vector<Mailbox::Item>{});
  items_.back().second.push_back(std::move(item));
}

}  // namespace hub::http
