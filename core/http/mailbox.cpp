// core/http/mailbox.cpp
//
// lws_cancel_service is called under the mutex: detach() takes the same mutex before the loop
// destroys its context, so a wake-up never touches a destroyed context.
#include "core/http/mailbox.h"

#include <unistd.h>

#include <libwebsockets.h>

namespace hub::http {

bool Mailbox::post(Item item) {
  std::lock_guard lock(mu_);
  if (detached_) {
    if (item.kind == Item::Kind::Adopt && item.fd >= 0) ::close(item.fd);
    return false;
  }
  bool wasEmpty = items_.empty();
  items_.push_back(std::move(item));
  // One wake-up per batch: the loop drains everything at once.
  if (wasEmpty && ctx_) lws_cancel_service(ctx_);
  return true;
}

void Mailbox::postWakes(std::vector<std::uint64_t> connIds, std::int64_t dueUs) {
  std::lock_guard lock(mu_);
  if (detached_ || connIds.empty()) return;
  bool wasEmpty = items_.empty();
  items_.push_back(
      Item{Item::Kind::WsWakes, 0, 0, -1, {}, dueUs, std::move(connIds), std::chrono::steady_clock::now()});
  if (wasEmpty && ctx_) lws_cancel_service(ctx_);
}

void Mailbox::postMany(std::vector<Item> items) {
  std::lock_guard lock(mu_);
  if (detached_ || items.empty()) return;
  bool wasEmpty = items_.empty();
  for (auto& item : items) items_.push_back(std::move(item));
  if (wasEmpty && ctx_) lws_cancel_service(ctx_);
}

std::vector<Mailbox::Item> Mailbox::drain() {
  std::lock_guard lock(mu_);
  std::vector<Item> out;
  out.swap(items_);
  return out;
}

void Mailbox::attach(lws_context* ctx) {
  std::lock_guard lock(mu_);
  ctx_ = ctx;
  if (!items_.empty()) lws_cancel_service(ctx_);
}

std::vector<Mailbox::Item> Mailbox::detach() {
  std::lock_guard lock(mu_);
  ctx_ = nullptr;
  detached_ = true;
  std::vector<Item> out;
  out.swap(items_);
  return out;
}

}  // namespace hub::http
