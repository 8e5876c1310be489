// core/http/uring_sender.cpp
//
// The ring set-up and the submit/reap of core/http/uring_sender.h, after io_uring(7): the
// kernel reads the SQ tail and writes the CQ tail, so those are read and written with
// acquire/release ordering.
#include "core/http/uring_sender.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hub::http {

namespace {

int ringSetup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(::syscall(__NR_io_uring_setup, entries, p));
}

int ringEnter(int fd, unsigned toSubmit, unsigned minComplete, unsigned flags) {
  return static_cast<int>(::syscall(__NR_io_uring_enter, fd, toSubmit, minComplete, flags, nullptr, 0));
}

unsigned* at(void* base, std::uint32_t offset) {
  return reinterpret_cast<unsigned*>(static_cast<char*>(base) + offset);
}

}  // namespace

UringSender::~UringSender() { close(); }

bool UringSender::open(unsigned entries) {
  close();
  io_uring_params p{};
  int fd = ringSetup(entries, &p);
  if (fd < 0) return false;
  fd_ = fd;
  sqRingSize_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cqRingSize_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single) sqRingSize_ = cqRingSize_ = std::max(sqRingSize_, cqRingSize_);
  sqRing_ = ::mmap(nullptr, sqRingSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                   IORING_OFF_SQ_RING);
  if (sqRing_ == MAP_FAILED) {
    sqRing_ = nullptr;
    close();
    return false;
  }
  if (single) {
    cqRing_ = sqRing_;
  } else {
    cqRing_ = ::mmap(nullptr, cqRingSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                     IORING_OFF_CQ_RING);
    if (cqRing_ == MAP_FAILED) {
      cqRing_ = nullptr;
      close();
      return false;
    }
  }
  sqesSize_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes =
      ::mmap(nullptr, sqesSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    close();
    return false;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  sqHead_ = at(sqRing_, p.sq_off.head);
  sqTail_ = at(sqRing_, p.sq_off.tail);
  sqMask_ = *at(sqRing_, p.sq_off.ring_mask);
  sqArray_ = at(sqRing_, p.sq_off.array);
  cqHead_ = at(cqRing_, p.cq_off.head);
  cqTail_ = at(cqRing_, p.cq_off.tail);
  cqMask_ = *at(cqRing_, p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(static_cast<char*>(cqRing_) + p.cq_off.cqes);
  entries_ = p.sq_entries;
  results_.reserve(entries_);
  return true;
}

void UringSender::close() {
  if (sqes_) ::munmap(sqes_, sqesSize_);
  if (cqRing_ && cqRing_ != sqRing_) ::munmap(cqRing_, cqRingSize_);
  if (sqRing_) ::munmap(sqRing_, sqRingSize_);
  sqes_ = nullptr;
  sqRing_ = cqRing_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  entries_ = 0;
  queued_ = 0;
}

bool UringSender::add(int fd, const void* data, std::size_t len, std::uint64_t tag) {
  if (fd_ < 0 || queued_ >= entries_) return false;
  unsigned tail = *sqTail_;  // only this thread writes it
  unsigned index = tail & sqMask_;
  io_uring_sqe& sqe = sqes_[index];
  std::memset(&sqe, 0, sizeof sqe);
  sqe.opcode = IORING_OP_SEND;
  sqe.fd = fd;
  sqe.addr = reinterpret_cast<std::uint64_t>(data);
  sqe.len = static_cast<std::uint32_t>(len);
  sqe.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
  sqe.user_data = tag;
  sqArray_[index] = index;
  __atomic_store_n(sqTail_, tail + 1, __ATOMIC_RELEASE);
  ++queued_;
  return true;
}

unsigned UringSender::reap() {
  unsigned head = *cqHead_;
  unsigned tail = __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE);
  unsigned n = 0;
  for (; head != tail; ++head, ++n) {
    const io_uring_cqe& cqe = cqes_[head & cqMask_];
    results_.push_back(Result{cqe.user_data, cqe.res});
  }
  __atomic_store_n(cqHead_, head, __ATOMIC_RELEASE);
  return n;
}

const std::vector<UringSender::Result>& UringSender::submit() {
  results_.clear();
  if (fd_ < 0 || queued_ == 0) return results_;
  std::size_t want = queued_;
  std::size_t toSubmit = queued_;
  while (toSubmit > 0) {
    int n = ringEnter(fd_, static_cast<unsigned>(toSubmit), 0, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EBUSY) {
        reap();
        continue;
      }
      // The kernel took none of the rest: report them as failed sends, nothing hangs.
      unsigned head = __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
      unsigned tail = *sqTail_;
      int err = -errno;
      for (; head != tail; ++head) results_.push_back(Result{sqes_[sqArray_[head & sqMask_]].user_data, err});
      __atomic_store_n(sqTail_, __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
      break;
    }
    toSubmit -= static_cast<std::size_t>(n);
  }
  reap();
  // MSG_DONTWAIT sends complete inside io_uring_enter; wait for any the kernel deferred anyway.
  while (results_.size() < want) {
    if (ringEnter(fd_, 0, static_cast<unsigned>(want - results_.size()), IORING_ENTER_GETEVENTS) < 0 &&
        errno != EINTR)
      break;
    reap();
  }
  queued_ = 0;
  return results_;
}

}  // namespace hub::http
