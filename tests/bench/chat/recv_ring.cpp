// tests/bench/chat/recv_ring.cpp
//
// The set-up, the multishot requests and the completions of tests/bench/chat/recv_ring.h, after
// io_uring(7), io_uring_register(2) (IORING_REGISTER_PBUF_RING) and io_uring_enter(2): the
// kernel reads the SQ tail and the buffer ring's tail and writes the CQ tail, so those are read
// and written with acquire/release ordering. A multishot recvmsg writes into each buffer an
// io_uring_recvmsg_out header, the address and control space the request's msghdr asked for,
// then the payload.
#include "tests/bench/chat/recv_ring.h"

#include <linux/io_uring.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace hub::bench {

namespace {

constexpr unsigned kSqEntries = 256;
constexpr std::size_t kBufSize = 1024;  // a few events; longer writes take several buffers
constexpr std::uint16_t kGroup = 0;

void* mapShared(int fd, std::size_t size, off_t offset) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  return p == MAP_FAILED ? nullptr : p;
}

void* mapAnonymous(std::size_t size) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

std::int64_t timestampMicros(const char* control, std::size_t len) {
  msghdr m{};
  m.msg_control = const_cast<char*>(control);
  m.msg_controllen = len;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec ts;
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    return std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
  }
  return 0;
}

}  // namespace

RecvRing::~RecvRing() { close(); }

bool RecvRing::open(std::size_t sockets) {
  close();
  bufCount_ = 256;  // twice the sockets (every socket may hold one while more arrives), a power of two
  while (bufCount_ < 2 * sockets && bufCount_ < 32768) bufCount_ *= 2;
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  p.cq_entries = 2 * bufCount_;
  int fd = static_cast<int>(::syscall(__NR_io_uring_setup, kSqEntries, &p));
  if (fd < 0) return false;
  fd_ = fd;
  const unsigned need = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_EXT_ARG | IORING_FEAT_NODROP;
  if ((p.features & need) != need) {
    close();
    return false;
  }
  ringMemSize_ = std::max<std::size_t>(p.sq_off.array + p.sq_entries * sizeof(unsigned),
                                       p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe));
  ringMem_ = mapShared(fd_, ringMemSize_, IORING_OFF_SQ_RING);
  sqesSize_ = p.sq_entries * sizeof(io_uring_sqe);
  sqes_ = static_cast<io_uring_sqe*>(mapShared(fd_, sqesSize_, IORING_OFF_SQES));
  bufRingSize_ = bufCount_ * sizeof(io_uring_buf);
  bufRing_ = static_cast<io_uring_buf*>(mapAnonymous(bufRingSize_));
  bufsSize_ = bufCount_ * kBufSize;
  bufs_ = static_cast<char*>(mapAnonymous(bufsSize_));
  if (!ringMem_ || !sqes_ || !bufRing_ || !bufs_) {
    close();
    return false;
  }
  auto* base = static_cast<char*>(ringMem_);
  sqHead_ = reinterpret_cast<unsigned*>(base + p.sq_off.head);
  sqTail_ = reinterpret_cast<unsigned*>(base + p.sq_off.tail);
  sqMask_ = *reinterpret_cast<unsigned*>(base + p.sq_off.ring_mask);
  sqEntries_ = p.sq_entries;
  sqArray_ = reinterpret_cast<unsigned*>(base + p.sq_off.array);
  cqHead_ = reinterpret_cast<unsigned*>(base + p.cq_off.head);
  cqTail_ = reinterpret_cast<unsigned*>(base + p.cq_off.tail);
  cqMask_ = *reinterpret_cast<unsigned*>(base + p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(base + p.cq_off.cqes);

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(bufRing_);
  reg.ring_entries = bufCount_;
  reg.bgid = kGroup;
  if (::syscall(__NR_io_uring_register, fd_, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
    close();
    return false;
  }
  for (unsigned i = 0; i < bufCount_; ++i) {
    lastBuffer_ = static_cast<int>(i);
    finish();
  }
  msg_ = msghdr{};
  msg_.msg_controllen = CMSG_SPACE(sizeof(timespec));
  return true;
}

void RecvRing::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (sqes_) ::munmap(sqes_, sqesSize_);
  if (ringMem_) ::munmap(ringMem_, ringMemSize_);
  if (bufRing_) ::munmap(bufRing_, bufRingSize_);
  if (bufs_) ::munmap(bufs_, bufsSize_);
  sqes_ = nullptr;
  ringMem_ = nullptr;
  bufRing_ = nullptr;
  bufs_ = nullptr;
  bufTail_ = 0;
  cqSeen_ = 0;
  lastBuffer_ = -1;
}

io_uring_sqe* RecvRing::sqe() {
  unsigned tail = *sqTail_;  // only this thread writes it
  if (tail - __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE) == sqEntries_) {
    ::syscall(__NR_io_uring_enter, fd_, sqEntries_, 0, 0, nullptr, 0);
  }
  unsigned index = tail & sqMask_;
  io_uring_sqe* s = &sqes_[index];
  std::memset(s, 0, sizeof *s);
  sqArray_[index] = index;
  __atomic_store_n(sqTail_, tail + 1, __ATOMIC_RELEASE);
  return s;
}

void RecvRing::receive(int fd, std::uint64_t tag) {
  if (fd_ < 0) return;
  io_uring_sqe* s = sqe();
  s->opcode = IORING_OP_RECVMSG;
  s->fd = fd;
  s->addr = reinterpret_cast<std::uint64_t>(&msg_);
  s->ioprio = IORING_RECV_MULTISHOT;
  s->flags = IOSQE_BUFFER_SELECT;
  s->buf_group = kGroup;
  s->user_data = tag;
}

void RecvRing::poll(int fd, std::uint64_t tag) {
  if (fd_ < 0) return;
  io_uring_sqe* s = sqe();
  s->opcode = IORING_OP_POLL_ADD;
  s->fd = fd;
  s->len = IORING_POLL_ADD_MULTI;
  s->poll32_events = POLLIN;
  s->user_data = tag;
}

void RecvRing::wait(int timeoutMs) {
  if (fd_ < 0) return;
  __kernel_timespec ts{};
  ts.tv_sec = timeoutMs / 1000;
  ts.tv_nsec = static_cast<long long>(timeoutMs % 1000) * 1'000'000;
  io_uring_getevents_arg arg{};
  arg.ts = reinterpret_cast<std::uint64_t>(&ts);
  const unsigned pending = *sqTail_ - __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
  // ETIME (nothing came) and EINTR are not errors here; what was not submitted stays queued.
  ::syscall(__NR_io_uring_enter, fd_, pending, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
            sizeof arg);
}

bool RecvRing::next(Completion& c) {
  if (lastBuffer_ >= 0) finishBuffer();
  const unsigned head = *cqHead_ + cqSeen_;
  if (head == __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE)) return false;
  const io_uring_cqe& cqe = cqes_[head & cqMask_];
  ++cqSeen_;
  c.tag = cqe.user_data;
  c.res = cqe.res;
  c.more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  c.data = {};
  c.arrivalRealMicros = 0;
  if (cqe.flags & IORING_CQE_F_BUFFER) {
    lastBuffer_ = static_cast<int>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    const char* buf = bufs_ + static_cast<std::size_t>(lastBuffer_) * kBufSize;
    io_uring_recvmsg_out out;
    std::memcpy(&out, buf, sizeof out);
    const char* control = buf + sizeof out + msg_.msg_namelen;
    const char* payload = control + msg_.msg_controllen;
    c.arrivalRealMicros = timestampMicros(control, out.controllen);
    c.data = std::string_view(payload, out.payloadlen);
    c.res = static_cast<int>(out.payloadlen);  // 0: the peer closed (the request ended)
  }
  return true;
}

void RecvRing::finishBuffer() {
  io_uring_buf& b = bufRing_[bufTail_ & (bufCount_ - 1)];
  b.addr = reinterpret_cast<std::uint64_t>(bufs_ + static_cast<std::size_t>(lastBuffer_) * kBufSize);
  b.len = static_cast<std::uint32_t>(kBufSize);
  b.bid = static_cast<std::uint16_t>(lastBuffer_);  // resv is left alone: in bufs[0] it is the tail
  ++bufTail_;
  lastBuffer_ = -1;
}

void RecvRing::finish() {
  if (lastBuffer_ >= 0) finishBuffer();
  __atomic_store_n(&reinterpret_cast<io_uring_buf_ring*>(bufRing_)->tail, bufTail_, __ATOMIC_RELEASE);
  __atomic_store_n(cqHead_, *cqHead_ + cqSeen_, __ATOMIC_RELEASE);
  cqSeen_ = 0;
}

}  // namespace hub::bench
