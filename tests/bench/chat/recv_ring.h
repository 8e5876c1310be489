// tests/bench/chat/recv_ring.h
//
// The load generator's receives through io_uring: one multishot recvmsg per socket, taking its
// buffers from a provided-buffer ring, so a frame arriving on one of a worker's thousands of
// sockets costs no epoll wake-up and no recv() of its own. The kernel reads the bytes while the
// worker waits in io_uring_enter (IORING_SETUP_DEFER_TASKRUN: all of them in that one call) and
// leaves a completion carrying them with the SO_TIMESTAMPNS arrival stamp. Raw system calls
// (Debian 12 has no liburing headers), one owner thread, which must be the one that called
// open() (IORING_SETUP_SINGLE_ISSUER). Where io_uring, its multishot receive or the buffer ring
// is unavailable open() fails and the worker reads through epoll as before.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

struct io_uring_sqe;
struct io_uring_cqe;
struct io_uring_buf;

namespace hub::bench {

class RecvRing {
 public:
  struct Completion {
    std::uint64_t tag;
    int res;                         // > 0: bytes received; 0: end of stream; < 0: -errno
    bool more;                       // false: the request ended and must be armed again to go on
    std::string_view data;           // the bytes received, valid until the next completion
    std::int64_t arrivalRealMicros;  // the kernel's arrival stamp (CLOCK_REALTIME), 0 if none
  };

  RecvRing() = default;
  ~RecvRing();
  RecvRing(const RecvRing&) = delete;
  RecvRing& operator=(const RecvRing&) = delete;

  // A ring for `sockets` receiving sockets; false when the kernel does not offer what it needs.
  bool open(std::size_t sockets);
  bool available() const { return fd_ >= 0; }
  // Arms a multishot receive on `fd` (bytes come back with `tag`).
  void receive(int fd, std::uint64_t tag);
  // Arms a multishot readiness poll on `fd` (an epoll descriptor: its events wake wait()).
  void poll(int fd, std::uint64_t tag);
  // Submits what was armed and waits up to `timeoutMs` for a completion.
  void wait(int timeoutMs);
  // Hands every completion there is to f(const Completion&), then gives the buffers back.
  template <class F>
  void drain(F&& f) {
    Completion c;
    while (next(c)) f(c);
    finish();
  }

 private:
  void close();
  io_uring_sqe* sqe();
  bool next(Completion& c);
  void finishBuffer();
  void finish();

  int fd_ = -1;
  void* ringMem_ = nullptr;  // SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP)
  std::size_t ringMemSize_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqesSize_ = 0;
  unsigned* sqHead_ = nullptr;
  unsigned* sqTail_ = nullptr;
  unsigned sqMask_ = 0;
  unsigned sqEntries_ = 0;
  unsigned* sqArray_ = nullptr;
  unsigned toSubmit_ = 0;
  unsigned* cqHead_ = nullptr;
  unsigned* cqTail_ = nullptr;
  unsigned cqMask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  unsigned cqSeen_ = 0;  // completions read since the last finish()
  // The provided buffers: a ring of descriptors the kernel takes from, and the bytes.
  io_uring_buf* bufRing_ = nullptr;
  std::size_t bufRingSize_ = 0;
  char* bufs_ = nullptr;
  std::size_t bufsSize_ = 0;
  unsigned bufCount_ = 0;
  std::uint16_t bufTail_ = 0;
  int lastBuffer_ = -1;  // the buffer of the completion handed out last, given back by next()
  msghdr msg_{};         // what each receive asks for: no address, room for one timestamp
};

}  // namespace hub::bench
