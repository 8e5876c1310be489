// core/http/send_ring.h
//
// A WebSocket connection's outgoing queue: a ring of messages whose first kInline slots live
// inside the owner, more on the heap (up to 64 slots kept; a bigger array is freed once emptied).
// A chat connection mostly holds one or two events between writes; std::deque gave each
// connection a 512-byte block of its own (and a map), one more cache line for the sender's and
// the loop's cores to pass per message, and a malloc and free every 21 messages. Not
// thread-safe: the owner's lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace hub::http {

template <class T, std::size_t kInline>
class SendRing {
  static_assert(kInline > 0 && (kInline & (kInline - 1)) == 0, "kInline: a power of two");
  static constexpr std::uint32_t kKeepHeap = 64;

 public:
  SendRing() = default;
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  T& front() { return slots()[head_]; }

  void push_back(T value) {
    if (count_ == cap_) grow();
    slots()[(head_ + count_) & (cap_ - 1)] = std::move(value);
    ++count_;
  }
  // Leaves the slot empty (a moved-from or default T), so what it held is released now.
  void pop_front() {
    slots()[head_] = T{};
    head_ = (head_ + 1) & (cap_ - 1);
    if (--count_ == 0) shrink();
  }
  void clear() {
    while (count_) pop_front();
  }

 private:
  // Where the slots are: a backlog's heap array, or the inline ones.
  T* slots() { return heap_ ? heap_.get() : inline_; }

  void grow() {
    const std::uint32_t cap = cap_ * 2;
    auto bigger = std::make_unique<T[]>(cap);
    for (std::uint32_t i = 0; i < count_; ++i) bigger[i] = std::move(slots()[(head_ + i) & (cap_ - 1)]);
    heap_ = std::move(bigger);
    cap_ = cap;
    head_ = 0;
  }
  // Empty again: a big backlog's array goes (a small one stays: a busy connection that often
  // holds a few more than kInline would otherwise allocate and free it on every write).
  void shrink() {
    head_ = 0;
    if (cap_ <= kKeepHeap) return;
    heap_.reset();
    cap_ = kInline;
  }

  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t cap_ = kInline;
  std::unique_ptr<T[]> heap_;
  T inline_[kInline];
};

}  // namespace hub::http
