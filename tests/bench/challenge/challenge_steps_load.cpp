// tests/bench/challenge/challenge_steps_load.cpp
//
// The step submissions load generator (issue 7), driven by tests/bench/challenge_steps.sh:
// closed-loop HTTP/1.1 keep-alive connections spread over threads (each thread runs its
// connections on one epoll), each sending POST {"member_no","date","steps","source"} with its
// own Idempotency-Key and the given headers, the next request as soon as the answer is complete.
// With --batch N each request carries N reports instead ({"submissions": [...]}, a key in each:
// the batch route) and the reports' answers are counted by their status in `results`.
// With --fill N the members 0 .. N-1 report once each, in order (steps below 500: any later
// report of the run's usual values raises their day), and the run ends when all are answered:
// the way to make N participants before a measured run.
// Prints requests/s, reports/s, latency percentiles and the answers by status. The same
// generator is pointed at the peer (nginx answering 200) to show the host's HTTP ceiling. Usage:
//   challenge_steps_load --port P --path /api/v1/challenges/1/steps [--header "K: V"]...
//       [--connections 64] [--threads 2] [--seconds 20] [--members 1000000] [--date 2026-11-29]
//       [--prefix M] [--warmup 2] [--batch N] [--fill N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Steady = std::chrono::steady_clock;

struct Args {
  int port = 0, connections = 64, threads = 2, seconds = 20, warmup = 2, batch = 0;
  long members = 1000000, fill = 0;
  std::string path, date = "2026-11-29", prefix = "M";
  std::vector<std::string> headers;
};

struct Conn {
  int fd = -1;
  std::string out, in;
  std::size_t sent = 0;
  Steady::time_point started;
  long seq = 0;
  bool wantOut = false;
};

struct Stats {
  std::vector<double> ms;
  std::map<int, long> byStatus;  // of the responses
  std::map<int, long> byReport;  // with --batch: of the reports in them
  long reports = 0;
  long errors = 0;
};

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect");
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// A complete response in `in`: its status and length, or 0 when more bytes are needed.
std::size_t complete(const std::string& in, int& status) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  if (in.size() < 12) return 0;
  status = std::atoi(in.c_str() + 9);
  std::size_t length = 0;
  for (std::size_t at = in.find("\r\n"); at < end; at = in.find("\r\n", at + 2)) {
    static constexpr char kName[] = "content-length:";
    if (at + 2 + sizeof kName - 1 > in.size()) break;
    if (strncasecmp(in.c_str() + at + 2, kName, sizeof kName - 1) == 0)
      length = std::strtoul(in.c_str() + at + 2 + sizeof kName - 1, nullptr, 10);
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

void worker(const Args& a, int index, int count, std::atomic<bool>& measuring, std::atomic<bool>& stop,
            std::atomic<long>& filled, Stats& stats) {
  int ep = ::epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  std::vector<Conn> conns(static_cast<std::size_t>(count));
  std::mt19937_64 rng(static_cast<std::uint64_t>(index) * 7919 + 1);
  std::string fixed;
  for (const auto& h : a.headers) fixed += h + "\r\n";
  // The next report's fields into `out`; false when --fill has no member left.
  auto report = [&](Conn& c, std::string& out) {
    char text[160];
    long member = 0, steps = 1000 + (c.seq * 37) % 29000;
    if (a.fill > 0) {
      member = filled.fetch_add(1, std::memory_order_relaxed);
      if (member >= a.fill) return false;
      steps = 100 + member % 400;
    } else {
      member = static_cast<long>(rng() % static_cast<std::uint64_t>(a.members));
    }
    const int n =
        std::snprintf(text, sizeof text, R"("member_no":"%s%09ld","date":"%s","steps":%ld,"source":"bench")",
                      a.prefix.c_str(), member, a.date.c_str(), steps);
    out.append(text, static_cast<std::size_t>(n));
    return true;
  };
  // Builds the connection's next request; false when --fill has nothing left to send.
  auto next = [&](Conn& c, std::size_t k) {
    const std::string key = (a.fill > 0 ? "f" : "b") + std::to_string(index) + "-" + std::to_string(k) + "-" +
                            std::to_string(c.seq++);
    std::string body = "{", head;
    if (a.batch > 0) {
      body += "\"submissions\":[";
      int added = 0;
      for (; added < a.batch; ++added) {
        std::string one = "{\"idempotency_key\":\"" + key + "-" + std::to_string(added) + "\",";
        if (!report(c, one)) break;
        body += added ? "," : "";
        body += one + '}';
      }
      if (added == 0) return false;
      body += "]}";
    } else {
      if (!report(c, body)) return false;
      body += '}';
      head = "Idempotency-Key: " + key + "\r\n";
    }
    c.out = "POST " + a.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + fixed +
            head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    c.sent = 0;
    c.started = Steady::now();
    return true;
  };
  // With --batch: each report's answer in `results` is {"idempotency_key","status":N,...}; its
  // body's own "status" is a string ("counted"), so a number after "status": is a report's.
  auto countReports = [&](const std::string& in, std::size_t from, std::size_t to) {
    static constexpr char kStatus[] = "\"status\":";
    for (std::size_t at = in.find(kStatus, from); at < to; at = in.find(kStatus, at + 1)) {
      const char* p = in.c_str() + at + sizeof kStatus - 1;
      if (*p < '0' || *p > '9') continue;
      ++stats.byReport[std::atoi(p)];
      ++stats.reports;
    }
  };
  // Sends what is left of the request; waits for writability only while something is left.
  auto flush = [&](Conn& c, std::size_t k) {
    while (c.sent < c.out.size()) {
      const ssize_t w = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (w <= 0) break;
      c.sent += static_cast<std::size_t>(w);
    }
    const bool want = c.sent < c.out.size();
    if (want == c.wantOut) return;
    c.wantOut = want;
    epoll_event ev{};
    ev.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u64 = k;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  };
  std::size_t active = conns.size();  // connections with a request to send or answer
  auto sendNext = [&](Conn& c, std::size_t k) {
    if (next(c, k)) return flush(c, k);
    ::close(c.fd);
    c.fd = -1;
    --active;
  };
  auto dial = [&](Conn& c, std::size_t k) {
    c.fd = connectTo(a.port);
    c.in.clear();
    c.wantOut = false;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = k;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) != 0) die("epoll_ctl");
    sendNext(c, k);
  };
  for (std::size_t k = 0; k < conns.size(); ++k) dial(conns[k], k);
  std::vector<epoll_event> events(conns.size());
  char buf[16384];
  while (!stop.load(std::memory_order_relaxed) && active > 0) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < n; ++e) {
      const std::size_t k = events[static_cast<std::size_t>(e)].data.u64;
      Conn& c = conns[k];
      if (c.fd < 0) continue;
      flush(c, k);
      for (;;) {
        const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r > 0) {
          c.in.append(buf, static_cast<std::size_t>(r));
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {  // closed: count, reconnect
          ++stats.errors;
          ::close(c.fd);
          dial(c, k);
        }
        break;
      }
      int status = 0;
      if (std::size_t used = complete(c.in, status)) {
        if (measuring.load(std::memory_order_relaxed)) {
          stats.ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - c.started).count());
          ++stats.byStatus[status];
          if (a.batch > 0)
            countReports(c.in, c.in.find("\r\n\r\n"), used);
          else
            ++stats.reports;
        }
        c.in.erase(0, used);
        sendNext(c, k);
      }
    }
  }
  for (auto& c : conns)
    if (c.fd >= 0) ::close(c.fd);
  ::close(ep);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      a.port = std::stoi(v);
    else if (k == "--path")
      a.path = v;
    else if (k == "--header")
      a.headers.push_back(v);
    else if (k == "--connections")
      a.connections = std::stoi(v);
    else if (k == "--threads")
      a.threads = std::stoi(v);
    else if (k == "--seconds")
      a.seconds = std::stoi(v);
    else if (k == "--warmup")
      a.warmup = std::stoi(v);
    else if (k == "--members")
      a.members = std::stol(v);
    else if (k == "--date")
      a.date = v;
    else if (k == "--prefix")
      a.prefix = v;
    else if (k == "--batch")
      a.batch = std::stoi(v);
    else if (k == "--fill")
      a.fill = std::stol(v);
  }
  if (a.port <= 0 || a.path.empty() || a.threads < 1 || a.connections < a.threads || a.members < 1) {
    std::fprintf(
        stderr,
        "usage: %s --port P --path PATH [--header \"K: V\"]... [--connections N] [--threads N]"
        " [--seconds N] [--warmup N] [--members N] [--date YYYY-MM-DD] [--prefix M] [--batch N] [--fill N]\n",
        argv[0]);
    return 2;
  }
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<long> filled{0};
  std::vector<Stats> stats(static_cast<std::size_t>(a.threads));
  std::vector<std::thread> pool;
  const auto started = Steady::now();
  measuring = a.fill > 0;  // a fill is measured whole: until the last member's report is answered
  for (int t = 0; t < a.threads; ++t) {
    const int count = a.connections / a.threads + (t < a.connections % a.threads ? 1 : 0);
    pool.emplace_back(worker, std::cref(a), t, count, std::ref(measuring), std::ref(stop), std::ref(filled),
                      std::ref(stats[static_cast<std::size_t>(t)]));
  }
  double elapsed = 0;
  if (a.fill > 0) {
    for (auto& th : pool) th.join();
    elapsed = std::chrono::duration<double>(Steady::now() - started).count();
  } else {
    std::this_thread::sleep_for(std::chrono::seconds(a.warmup));
    measuring = true;
    const auto t0 = Steady::now();
    std::this_thread::sleep_for(std::chrono::seconds(a.seconds));
    measuring = false;
    elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
    stop = true;
    for (auto& th : pool) th.join();
  }
  Stats all;
  for (auto& s : stats) {
    all.ms.insert(all.ms.end(), s.ms.begin(), s.ms.end());
    for (auto [code, n] : s.byStatus) all.byStatus[code] += n;
    for (auto [code, n] : s.byReport) all.byReport[code] += n;
    all.errors += s.errors;
    all.reports += s.reports;
  }
  std::sort(all.ms.begin(), all.ms.end());
  auto at = [&](double p) {
    return all.ms.empty() ? 0.0
                          : all.ms[static_cast<std::size_t>(p * static_cast<double>(all.ms.size() - 1))];
  };
  std::printf(
      "result requests=%zu reports=%ld seconds=%.1f rps=%.0f reports_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
      "max_ms=%.2f closed=%ld\n",
      all.ms.size(), all.reports, elapsed, static_cast<double>(all.ms.size()) / elapsed,
      static_cast<double>(all.reports) / elapsed, at(0.5), at(0.99), all.ms.empty() ? 0.0 : all.ms.back(),
      all.errors);
  for (auto [code, n] : all.byStatus) std::printf("status %d: %ld\n", code, n);
  for (auto [code, n] : all.byReport) std::printf("report status %d: %ld\n", code, n);
  return 0;
}
