// core/http/uring_sender.h
//
// Many small sends to different sockets in one system call: an io_uring driven by raw system
// calls (Debian 12 has no liburing headers by default). A loop that writes one chat event to
// hundreds of connections pays one kernel entry for all of them instead of one send() each;
// on loopback that was about 40 % of each send's CPU on the reference VM. Every send is
// MSG_DONTWAIT: a socket without room answers -EAGAIN at once, so submit() never blocks.
// One owner thread; where io_uring is unavailable (old kernel, sysctl, seccomp) open() fails
// and the caller sends one by one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

struct io_uring_sqe;
struct io_uring_cqe;

namespace hub::http {

class UringSender {
 public:
  struct Result {
    std::uint64_t tag;
    int res;  // bytes sent (possibly fewer than asked), or -errno
  };

  UringSender() = default;
  ~UringSender();
  UringSender(const UringSender&) = delete;
  UringSender& operator=(const UringSender&) = delete;

  // Sets up a ring for `entries` sends per submit(); false when io_uring is unavailable.
  bool open(unsigned entries = 1024);
  bool available() const { return fd_ >= 0; }
  // Queues one send of [data, data + len) on `fd`; the bytes must stay put until submit()
  // returns. False when `capacity()` sends are queued: submit() first.
  bool add(int fd, const void* data, std::size_t len, std::uint64_t tag);
  std::size_t queued() const { return queued_; }
  std::size_t capacity() const { return entries_; }
  // Submits what is queued in one io_uring_enter and returns one result per send (in any
  // order), valid until the next call.
  const std::vector<Result>& submit();

 private:
  void close();
  unsigned reap();

  int fd_ = -1;
  unsigned entries_ = 0;
  std::size_t queued_ = 0;
  void* sqRing_ = nullptr;
  std::size_t sqRingSize_ = 0;
  void* cqRing_ = nullptr;  // the same mapping as sqRing_ with IORING_FEAT_SINGLE_MMAP
  std::size_t cqRingSize_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqesSize_ = 0;
  unsigned* sqHead_ = nullptr;
  unsigned* sqTail_ = nullptr;
  unsigned sqMask_ = 0;
  unsigned* sqArray_ = nullptr;
  unsigned* cqHead_ = nullptr;
  unsigned* cqTail_ = nullptr;
  unsigned cqMask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  std::vector<Result> results_;
};

}  // namespace hub::http
