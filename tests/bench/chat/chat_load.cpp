// tests/bench/chat/chat_load.cpp
//
// The chat load generator: N WebSocket clients in one room over epoll (one loop per --threads),
// the first S of them sending at a fixed total rate with the send time embedded in the text
// ("b:SENDER:SEQ:MICROS"), every client receiving. Drives the hub (/ws) or the Socket.IO peer
// (tests/bench/chat/socketio). Reports deliveries/s, send-to-receive latency, the share of
// expected deliveries that arrived, per-sender order, server CPU from /proc/PID/stat, RSS per
// connected client, and for --likes the likes-event rate each viewer sees. The last line is
// "RESULT {json}" for tests/bench/chat_fanout.sh. The latency is also cut in three where it
// can be (the message's server "ts" and the kernel's arrival stamp on the receiving socket):
// p50/p99_in_ms (sender to server), _server_ms (server to the receiving socket), _read_ms (the
// generator's own delay in reading it), with the generator's CPU-seconds (generator_cpu_s) and
// the servers' threads' context switches per second (server_switches_per_s: loop wake-ups).
// Each thread receives through io_uring where the kernel offers it (multishot recvmsg with
// provided buffers), through epoll and recvmsg() otherwise or with --recv epoll ("recv" in the
// result says which).
//
//   chat_load --flavor hub|socketio --target 127.0.0.1:PORT [--target ...] --clients N
//             --senders S --rate MSG_PER_S --duration SEC [--likes LIKES_PER_S]
//             [--tokens FILE | --token T] [--origin URL] [--room R] [--threads T]
//             [--server-pid PID ...] [--redis-pid PID] [--grace SEC] [--connect-timeout SEC]
//             [--recv uring|epoll]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/chat/load_worker.h"
#include "tests/bench/chat/proc_stats.h"

namespace {

using hub::bench::Flavor;
using hub::bench::LoadWorker;
using hub::bench::WorkerConfig;

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "chat_load: %s (see the comment at the top of chat_load.cpp)\n", why);
  std::exit(2);
}

void raiseNoFile() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  WorkerConfig cfg;
  std::vector<std::pair<std::string, int>> targets;
  std::vector<int> serverPids;
  int redisPid = 0;
  unsigned threads = 1;
  double grace = 10, connectTimeout = 120;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--flavor") {
      cfg.flavor = v == "socketio" ? Flavor::SocketIo : Flavor::Hub;
    } else if (a == "--target") {
      auto colon = v.rfind(':');
      if (colon == std::string::npos) usage("--target wants HOST:PORT");
      targets.emplace_back(v.substr(0, colon), std::atoi(v.c_str() + colon + 1));
    } else if (a == "--clients") {
      cfg.clients = std::strtoul(v.c_str(), nullptr, 10);
    } else if (a == "--senders") {
      cfg.senders = std::strtoul(v.c_str(), nullptr, 10);
    } else if (a == "--rate") {
      cfg.rate = std::atof(v.c_str());
    } else if (a == "--likes") {
      cfg.likesRate = std::atof(v.c_str());
    } else if (a == "--like-batch") {
      cfg.likeBatch = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--duration") {
      cfg.duration = std::atof(v.c_str());
    } else if (a == "--grace") {
      grace = std::atof(v.c_str());
    } else if (a == "--connect-timeout") {
      connectTimeout = std::atof(v.c_str());
    } else if (a == "--token") {
      tokens.push_back(v);
    } else if (a == "--tokens") {
      std::ifstream in(v);
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) tokens.push_back(line);
    } else if (a == "--origin") {
      cfg.origin = v;
    } else if (a == "--room") {
      cfg.room = v;
    } else if (a == "--path") {
      cfg.path = v;
    } else if (a == "--threads") {
      threads = std::max(1u, static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10)));
    } else if (a == "--recv") {
      if (v != "uring" && v != "epoll") usage("--recv wants uring or epoll");
      cfg.uring = v == "uring";
    } else if (a == "--server-pid") {
      serverPids.push_back(std::atoi(v.c_str()));
    } else if (a == "--redis-pid") {
      redisPid = std::atoi(v.c_str());
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (targets.empty()) usage("no --target");
  if (cfg.clients == 0) usage("--clients must be > 0");
  cfg.senders = std::min(cfg.senders, cfg.clients);
  if (cfg.path.empty()) cfg.path = cfg.flavor == Flavor::Hub ? "/ws" : "/socket.io/";
  if (tokens.empty()) tokens.push_back("bench");
  cfg.targets = targets;
  cfg.tokens = tokens;
  raiseNoFile();

  const long rssBefore = hub::bench::rssKiB(serverPids);
  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (unsigned t = 0; t < threads; ++t) workers.push_back(std::make_unique<LoadWorker>(cfg, t, threads));
  std::vector<std::thread> pool;
  for (auto& w : workers) pool.emplace_back([&w] { w->run(); });

  auto sum = [&](auto field) {
    std::uint64_t n = 0;
    for (auto& w : workers) n += (w.get()->*field).load();
    return n;
  };
  const auto connectStart = std::chrono::steady_clock::now();
  while (secondsSince(connectStart) < connectTimeout) {
    if (sum(&LoadWorker::ready_) + sum(&LoadWorker::closed_) >= cfg.clients) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double connectSecs = secondsSince(connectStart);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the server settle before RSS
  const std::uint64_t ready = sum(&LoadWorker::ready_);
  const long rssAfter = hub::bench::rssKiB(serverPids);
  std::fprintf(stderr, "connected %llu/%zu in %.1fs (closed %llu)\n", static_cast<unsigned long long>(ready),
               cfg.clients, connectSecs, static_cast<unsigned long long>(sum(&LoadWorker::closed_)));

  const double cpu0 = hub::bench::cpuSeconds(serverPids);
  const unsigned long long switches0 = hub::bench::contextSwitches(serverPids);
  const double rcpu0 = redisPid ? hub::bench::cpuSeconds({redisPid}) : 0;
  const double genCpu0 = hub::bench::cpuSeconds({::getpid()});  // the generator's own
  const auto sendStart = std::chrono::steady_clock::now();
  for (auto& w : workers) w->startSending(sendStart);
  std::this_thread::sleep_for(std::chrono::duration<double>(cfg.duration));
  for (auto& w : workers) w->stopSending();
  const std::uint64_t deliveredInWindow = sum(&LoadWorker::delivered_);
  const double windowSecs = secondsSince(sendStart);
  const std::uint64_t sent = sum(&LoadWorker::sent_);
  const auto drainStart = std::chrono::steady_clock::now();
  // Expected: every message at every client that was ready when sending began.
  const std::uint64_t expected = sent * ready;
  while (secondsSince(drainStart) < grace && sum(&LoadWorker::delivered_) < expected)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double cpuSecs = hub::bench::cpuSeconds(serverPids) - cpu0;
  const unsigned long long switches = hub::bench::contextSwitches(serverPids) - switches0;
  const double redisCpuSecs = redisPid ? hub::bench::cpuSeconds({redisPid}) - rcpu0 : 0;
  const double busySecs = secondsSince(sendStart);
  const double genCpuSecs = hub::bench::cpuSeconds({::getpid()}) - genCpu0;
  for (auto& w : workers) w->stop();
  for (auto& t : pool) t.join();

  hub::bench::Totals tot;
  for (auto& w : workers) w->addTo(tot);
  bool uring = true;
  for (auto& w : workers) uring = uring && w->uringUsed_.load();
  const double share = expected ? static_cast<double>(tot.delivered) / static_cast<double>(expected) : 0;
  const double likeWindow = cfg.duration;
  const double likeMean =
      ready ? static_cast<double>(tot.likeEvents) / static_cast<double>(ready) / likeWindow : 0;
  const double likeMax = static_cast<double>(tot.likeEventsMaxClient) / likeWindow;
  char json[3072];
  std::snprintf(
      json, sizeof json,
      "{\"flavor\":\"%s\",\"clients\":%zu,\"ready\":%llu,\"senders\":%zu,\"rate\":%.1f,\"duration\":%.1f,"
      "\"sent\":%llu,\"expected\":%llu,\"delivered\":%llu,\"share\":%.5f,\"deliveries_per_s\":%.0f,"
      "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"server_cpu_s\":%.2f,\"redis_cpu_s\":%.2f,"
      "\"busy_s\":%.2f,\"deliveries_per_cpu_s\":%.0f,\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,"
      "\"rss_per_client_kib\":%.2f,\"likes_sent\":%llu,\"likes_rate\":%.0f,\"like_events_per_viewer_s\":%.2f,"
      "\"like_events_per_viewer_s_max\":%.2f,\"likes_total_seen\":%llu,\"out_of_order\":%llu,\"closed\":%"
      "llu,\"p50_in_ms\":%.2f,\"p99_in_ms\":%.2f,\"p50_server_ms\":%.2f,\"p99_server_ms\":%.2f,"
      "\"p50_read_ms\":%.2f,\"p99_read_ms\":%.2f,\"generator_cpu_s\":%.2f,\"recv\":\"%s\",\"server_switches_"
      "per_s\":%.0f}",
      cfg.flavor == Flavor::Hub ? "hub" : "socketio", cfg.clients, static_cast<unsigned long long>(ready),
      cfg.senders, cfg.rate, cfg.duration, static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(expected), static_cast<unsigned long long>(tot.delivered), share,
      static_cast<double>(deliveredInWindow) / windowSecs, tot.hist.quantileMs(0.50),
      tot.hist.quantileMs(0.99), tot.hist.maxMs(), cpuSecs, redisCpuSecs, busySecs,
      cpuSecs > 0 ? static_cast<double>(tot.delivered) / cpuSecs : 0.0, rssBefore, rssAfter,
      ready ? static_cast<double>(rssAfter - rssBefore) / static_cast<double>(ready) : 0.0,
      static_cast<unsigned long long>(tot.likesSent), static_cast<double>(tot.likesSent) / cfg.duration,
      likeMean, likeMax, static_cast<unsigned long long>(tot.likesTotalSeen),
      static_cast<unsigned long long>(tot.outOfOrder), static_cast<unsigned long long>(tot.closed),
      tot.histIn.quantileMs(0.50), tot.histIn.quantileMs(0.99), tot.histServer.quantileMs(0.50),
      tot.histServer.quantileMs(0.99), tot.histRead.quantileMs(0.50), tot.histRead.quantileMs(0.99),
      genCpuSecs, uring ? "uring" : "epoll", static_cast<double>(switches) / busySecs);
  for (const auto& r : tot.closeReasons) std::fprintf(stderr, "closed: %s\n", r.c_str());
  std::printf("RESULT %s\n", json);
  return 0;
}
