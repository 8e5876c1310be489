// tests/bench/chat/send_floor.cpp
//
// The floor under the chat fan-out: what the kernel's TCP sends alone cost at one benchmark
// point, with no server around them. `serve` accepts N connections and, paced like the hub's
// coalescing (chat/room/coalesce_window.h: an event every 1/R s, K events per write, the
// members in min(K, 16, N / 1,000) groups taking turns), writes one WebSocket text frame of
// K x B bytes to each connection whose turn it is, through the hub's own io_uring sender
// (core/http/uring_sender.h), 1,024 sends per submission, on T threads. `sink` connects the N
// clients and reads everything. No reads of requests, no JSON, no queues, no locks: any server
// that writes K events per write pays at least this, so the hub/floor CPU is the share of the
// hub's CPU that is not the sends themselves, and floor/Socket.IO is the best ratio a server
// writing this way can reach in that run. tests/bench/chat_fanout.sh runs it after each point.
//
//   send_floor serve --listen IP:PORT --clients N --rate R --per-write K --bytes B
//                    --threads T --duration SEC [--warmup SEC] [--sender uring|send]
//   send_floor sink --connect IP:PORT --clients N
// serve prints "RESULT {json}": writes, cpu_s (getrusage of the process over the measured
// seconds), us_per_write, deliveries_per_cpu_s (writes x K per CPU-second), short (writes the
// socket took only part of, or refused: 0 unless the sink fell behind). `--sender send` makes one
// send() per write instead of the io_uring submissions (a comparison: it costs more).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/http/uring_sender.h"
#include "tests/bench/chat/server_frame.h"

namespace {

struct Args {
  std::string mode, addr;
  std::size_t clients = 1000, perWrite = 2, bytes = 150, threads = 2;
  bool plainSend = false;  // --sender send: one send() per write instead of the io_uring
  double rate = 20, duration = 10, warmup = 1;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "send_floor: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

Args parse(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: send_floor serve|sink [options] (see the source's opening comment)\n");
    std::exit(2);
  }
  a.mode = argv[1];
  for (int i = 2; i < argc; i += 2) {
    std::string k = argv[i];
    if (i + 1 == argc) {
      std::fprintf(stderr, "send_floor: %s needs a value\n", k.c_str());
      std::exit(2);
    }
    const char* v = argv[i + 1];
    if (k == "--listen" || k == "--connect")
      a.addr = v;
    else if (k == "--clients")
      a.clients = std::strtoull(v, nullptr, 10);
    else if (k == "--per-write")
      a.perWrite = std::max<std::size_t>(1, std::strtoull(v, nullptr, 10));
    else if (k == "--bytes")
      a.bytes = std::strtoull(v, nullptr, 10);
    else if (k == "--threads")
      a.threads = std::max<std::size_t>(1, std::strtoull(v, nullptr, 10));
    else if (k == "--rate")
      a.rate = std::strtod(v, nullptr);
    else if (k == "--duration")
      a.duration = std::strtod(v, nullptr);
    else if (k == "--sender")
      a.plainSend = std::string(v) == "send";
    else if (k == "--warmup")
      a.warmup = std::strtod(v, nullptr);
    else {
      std::fprintf(stderr, "send_floor: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (a.perWrite * (a.bytes + 1) > 60000) {
    std::fprintf(stderr, "send_floor: a frame of --per-write x --bytes must stay under 60,000 bytes\n");
    std::exit(2);
  }
  if (a.addr.empty() || a.rate <= 0) {
    std::fprintf(stderr, "send_floor: --listen/--connect IP:PORT and a positive --rate are needed\n");
    std::exit(2);
  }
  return a;
}

sockaddr_in address(const std::string& hostPort) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  auto colon = hostPort.rfind(':');
  if (colon == std::string::npos ||
      inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &sa.sin_addr) != 1) {
    std::fprintf(stderr, "send_floor: bad address %s\n", hostPort.c_str());
    std::exit(2);
  }
  sa.sin_port = htons(static_cast<std::uint16_t>(std::atoi(hostPort.c_str() + colon + 1)));
  return sa;
}

double cpuNow() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// The frame of one write: "[e,e,...]" of K events of B bytes each (one event alone).
std::string frame(std::size_t perWrite, std::size_t bytes) {
  std::string body = perWrite > 1 ? "[" : "";
  for (std::size_t i = 0; i < perWrite; ++i) {
    if (i) body += ',';
    body += '"' + std::string(bytes > 2 ? bytes - 2 : 0, 'x') + '"';
  }
  if (perWrite > 1) body += ']';
  return hub::bench::serverTextFrame(body);
}

struct Totals {
  std::atomic<std::uint64_t> writes{0}, shortWrites{0};
};

// One thread's connections: on tick t it writes to those of its groups whose turn it is.
void sendLoop(const Args& a, const std::vector<int>& fds, std::size_t groups, const std::string& buf,
              std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point measureFrom,
              std::chrono::steady_clock::time_point end, Totals& totals) {
  hub::http::UringSender ring;
  if (!ring.open(1024)) die("io_uring");
  const auto period = std::chrono::duration<double>(1.0 / a.rate);
  const std::size_t k = a.perWrite;
  std::uint64_t writes = 0, shorts = 0;
  for (std::uint64_t tick = 1;; ++tick) {
    auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           period * static_cast<double>(tick));
    if (due >= end) break;
    std::this_thread::sleep_until(due);
    const bool counted = due >= measureFrom;
    for (std::size_t g = 0; g < groups; ++g) {
      if ((tick + g * k / groups) % k != 0) continue;  // not this group's turn
      for (std::size_t i = g; i < fds.size(); i += groups) {
        if (a.plainSend) {
          shorts += counted && ::send(fds[i], buf.data(), buf.size(), MSG_DONTWAIT | MSG_NOSIGNAL) !=
                                   static_cast<ssize_t>(buf.size());
          writes += counted;
          continue;
        }
        ring.add(fds[i], buf.data(), buf.size(), i);
        if (ring.queued() == ring.capacity()) {
          for (const auto& r : ring.submit()) shorts += counted && r.res != static_cast<int>(buf.size());
        }
        writes += counted;
      }
    }
    for (const auto& r : ring.submit()) shorts += counted && r.res != static_cast<int>(buf.size());
  }
  totals.writes += writes;
  totals.shortWrites += shorts;
}

int serve(const Args& a) {
  sockaddr_in sa = address(a.addr);
  int ls = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ls < 0 || ::bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(ls, 4096) < 0)
    die("listen");
  std::vector<std::vector<int>> perThread(a.threads);
  for (std::size_t n = 0; n < a.clients; ++n) {
    int c = ::accept4(ls, nullptr, nullptr, SOCK_NONBLOCK);
    if (c < 0) die("accept");
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as the hub's acceptor does
    perThread[n % a.threads].push_back(c);
  }
  const std::size_t groups =
      std::max<std::size_t>(1, std::min({a.perWrite, std::size_t{16}, a.clients / 1000}));
  const std::string buf = frame(a.perWrite, a.bytes);
  const auto start = std::chrono::steady_clock::now();
  const auto measureFrom = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(a.warmup));
  const auto end = measureFrom + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(a.duration));
  Totals totals;
  std::vector<std::thread> threads;
  for (auto& fds : perThread)
    threads.emplace_back(sendLoop, std::cref(a), std::cref(fds), groups, std::cref(buf), start, measureFrom,
                         end, std::ref(totals));
  std::this_thread::sleep_until(measureFrom);
  const double cpu0 = cpuNow();
  for (auto& t : threads) t.join();
  const double cpu = cpuNow() - cpu0;
  const double writes = static_cast<double>(totals.writes.load());
  std::printf(
      "RESULT {\"clients\":%zu,\"rate\":%g,\"per_write\":%zu,\"groups\":%zu,\"frame_bytes\":%zu,"
      "\"writes\":%.0f,\"deliveries_per_s\":%.0f,\"cpu_s\":%.2f,\"us_per_write\":%.2f,"
      "\"deliveries_per_cpu_s\":%.0f,\"short\":%llu}\n",
      a.clients, a.rate, a.perWrite, groups, buf.size(), writes,
      writes * static_cast<double>(a.perWrite) / a.duration, cpu, writes > 0 ? cpu / writes * 1e6 : 0.0,
      cpu > 0 ? writes * static_cast<double>(a.perWrite) / cpu : 0.0,
      static_cast<unsigned long long>(totals.shortWrites.load()));
  return 0;
}

int sink(const Args& a) {
  sockaddr_in sa = address(a.addr);
  int ep = ::epoll_create1(0);
  if (ep < 0) die("epoll");
  for (std::size_t n = 0; n < a.clients; ++n) {
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || ::connect(c, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) die("connect");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = c;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0) die("epoll_ctl");
  }
  std::vector<epoll_event> events(1024);
  std::vector<char> buf(64 * 1024);
  for (std::size_t open = a.clients; open > 0;) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (::read(fd, buf.data(), buf.size()) <= 0) {  // the server is done: closed
        ::close(fd);
        --open;
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (a.mode == "serve") return serve(a);
  if (a.mode == "sink") return sink(a);
  std::fprintf(stderr, "send_floor: the mode is serve or sink\n");
  return 2;
}
