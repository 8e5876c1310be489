// tests/bench/chat/load_worker.cpp
//
// The epoll loop, the send schedule and the receive-side scan of one load-generator worker.
#include "tests/bench/chat/load_worker.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>

namespace hub::bench {

namespace {
// Every key the scan looks for starts with "t: one pass over the frame finds them all.
constexpr std::string_view kKeyStart = "\"t";
constexpr std::string_view kTextMark = "\"text\":\"b:";
constexpr std::string_view kLikesMark = "\"type\":\"likes\"";
constexpr std::string_view kTotalMark = "\"total\":";
constexpr std::string_view kTsMark = "\"ts\":";
// The ring's tag for the epoll descriptor's readiness (a client's tag is its local index).
constexpr std::uint64_t kEpollTag = ~std::uint64_t{0};

// Parses the unsigned integer at s[pos...] and moves pos past it (and one separator).
std::uint64_t takeNumber(std::string_view s, std::size_t& pos) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
  pos = static_cast<std::size_t>(end - s.data()) + 1;
  return ec == std::errc() ? v : 0;
}
}  // namespace

LoadWorker::LoadWorker(const WorkerConfig& cfg, unsigned id, unsigned workers)
    : cfg_(cfg), id_(id), workers_(workers) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  realMinusSteadyMicros_ = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() -
                           nowMicros();
  std::size_t mySenders = 0, myClients = 0;
  for (std::size_t i = id; i < cfg.clients; i += workers) {
    const auto& [host, port] = cfg.targets[i % cfg.targets.size()];
    if (i < cfg.senders) {
      senders_.push_back(clients_.size());
      ++mySenders;
    }
    clients_.push_back(std::make_unique<LoadClient>(i, cfg.flavor, host, port, cfg.path, cfg.origin,
                                                    cfg.tokens[i % cfg.tokens.size()], cfg.room));
    ++myClients;
  }
  writeWatched_.assign(clients_.size(), false);
  viaRing_.assign(clients_.size(), false);
  lastSeq_.assign(clients_.size(), std::vector<std::uint32_t>(cfg.senders, 0));
  likeEvents_.assign(clients_.size(), 0);
  sendSeq_.assign(clients_.size(), 0);
  if (cfg.senders) myRate_ = cfg.rate * static_cast<double>(mySenders) / static_cast<double>(cfg.senders);
  if (cfg.likeBatch && cfg.clients)
    myLikeFrames_ =
        cfg.likesRate / cfg.likeBatch * static_cast<double>(myClients) / static_cast<double>(cfg.clients);
}

LoadWorker::~LoadWorker() {
  clients_.clear();
  if (epoll_ >= 0) ::close(epoll_);
}

std::int64_t LoadWorker::nowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void LoadWorker::startSending(std::chrono::steady_clock::time_point t0) {
  t0Micros_.store(std::chrono::duration_cast<std::chrono::microseconds>(t0.time_since_epoch()).count());
  sending_.store(true);
}

void LoadWorker::watch(std::size_t local) {
  auto& c = *clients_[local];
  const bool want = c.wantsWrite() || c.state() == LoadClient::State::Connecting;
  if (c.fd() < 0 || want == writeWatched_[local]) return;
  if (viaRing_[local]) {  // in epoll only while bytes wait to be written
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = local;
    ::epoll_ctl(epoll_, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, c.fd(), &ev);
    writeWatched_[local] = want;
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  ev.data.u64 = local;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd(), &ev);
  writeWatched_[local] = want;
}

void LoadWorker::connectMore() {
  while (nextToStart_ < clients_.size() && inFlight_ < cfg_.connectConcurrency) {
    std::size_t local = nextToStart_++;
    auto& c = *clients_[local];
    int fd = c.start();
    if (fd < 0) {
      noteState(local, LoadClient::State::Connecting);
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = local;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    writeWatched_[local] = true;
    ++inFlight_;
  }
}

void LoadWorker::noteState(std::size_t local, LoadClient::State before) {
  auto& c = *clients_[local];
  if (c.state() == before) return;
  const bool wasPending = before != LoadClient::State::Ready;
  if (c.state() == LoadClient::State::Ready) {
    ready_.fetch_add(1);
    --inFlight_;
    if (ring_.available()) {  // from now on its bytes come through the ring
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd(), nullptr);
      writeWatched_[local] = false;
      viaRing_[local] = true;
      ring_.receive(c.fd(), local);
    }
  } else if (c.state() == LoadClient::State::Closed) {
    closed_.fetch_add(1);
    if (before == LoadClient::State::Ready)
      ready_.fetch_sub(1);
    else if (wasPending && inFlight_ > 0)
      --inFlight_;
    if (closeReasons_.size() < 5)
      closeReasons_.push_back("client " + std::to_string(c.index()) + ": " + c.closeReason());
  }
}

void LoadWorker::handle(std::size_t local, std::uint32_t events) {
  auto& c = *clients_[local];
  const auto before = c.state();
  if (viaRing_[local]) {  // watched for writing only: an error shows in the send
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) c.onWritable();
  } else {
    if (events & EPOLLOUT) c.onWritable();
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && c.state() != LoadClient::State::Closed)
      c.onReadable(*this);
  }
  noteState(local, before);
  if (c.state() != LoadClient::State::Closed) watch(local);
}

void LoadWorker::sendDue() {
  std::lock_guard lock(sendMu_);
  if (!sending_.load()) return;
  const double elapsed = static_cast<double>(nowMicros() - t0Micros_.load()) / 1e6;
  // Worker k of T is k/T of a period behind worker 0, so the workers' messages interleave
  // evenly (at 20 msg/s on two threads: one every 50 ms, not two at once every 100 ms).
  const double phase = static_cast<double>(id_) / static_cast<double>(workers_);
  const auto dueMessages = static_cast<std::uint64_t>(std::floor(myRate_ * elapsed + phase));
  char text[160];
  while (messagesSent_ < dueMessages && !senders_.empty()) {
    std::size_t local = senders_[nextSender_++ % senders_.size()];
    auto& c = *clients_[local];
    ++messagesSent_;
    if (c.state() != LoadClient::State::Ready) continue;
    std::uint32_t seq = ++sendSeq_[local];
    int n = std::snprintf(text, sizeof text, R"({"op":"send","room":"%s","text":"b:%zu:%u:%lld"})",
                          cfg_.room.c_str(), c.index(), seq, static_cast<long long>(nowMicros()));
    const auto before = c.state();
    c.sendCommand(std::string_view(text, static_cast<std::size_t>(n)));
    noteState(local, before);
    if (c.state() != LoadClient::State::Closed) watch(local);
    sent_.fetch_add(1);
  }
  const auto dueLikes = static_cast<std::uint64_t>(std::floor(myLikeFrames_ * elapsed + phase));
  while (likeFramesSent_ < dueLikes) {
    std::size_t local = nextLiker_++ % clients_.size();
    auto& c = *clients_[local];
    ++likeFramesSent_;
    if (c.state() != LoadClient::State::Ready) continue;
    int n = std::snprintf(text, sizeof text, R"({"op":"like","room":"%s","count":%u})", cfg_.room.c_str(),
                          cfg_.likeBatch);
    const auto before = c.state();
    c.sendCommand(std::string_view(text, static_cast<std::size_t>(n)));
    noteState(local, before);
    if (c.state() != LoadClient::State::Closed) watch(local);
  }
}

void LoadWorker::onText(std::size_t client, std::string_view text) {
  const std::int64_t now = nowMicros();
  const std::size_t local = (client - id_) / workers_;  // this worker owns id_, id_+T, ...
  const std::int64_t arrivedReal = clients_[local]->arrivalRealMicros();
  // One pass: a message's "text" (sender, sequence, send time) comes before its "ts" (the
  // server's clock), a likes event's "type" before its "total".
  std::int64_t pendingSentAt = -1;  // a message whose "ts" is still ahead
  std::size_t pos = 0;
  while ((pos = text.find(kKeyStart, pos)) != std::string_view::npos) {
    const std::string_view at = text.substr(pos);
    if (at.starts_with(kTextMark)) {
      pos += kTextMark.size();
      const auto sender = takeNumber(text, pos);
      const auto seq = static_cast<std::uint32_t>(takeNumber(text, pos));
      const auto sentAt = static_cast<std::int64_t>(takeNumber(text, pos));
      hist_.add(now - sentAt);
      pendingSentAt = sentAt;
      delivered_.fetch_add(1, std::memory_order_relaxed);
      if (sender < cfg_.senders) {  // order per sender, as this receiver sees it
        auto& last = lastSeq_[local][sender];
        if (seq <= last) ++outOfOrder_;
        last = seq;
      }
    } else if (at.starts_with(kTsMark) && pendingSentAt >= 0) {
      pos += kTsMark.size();
      const auto serverMicros = static_cast<std::int64_t>(takeNumber(text, pos)) * 1000;
      if (arrivedReal > 0) {
        histIn_.add(serverMicros - (pendingSentAt + realMinusSteadyMicros_));
        histServer_.add(arrivedReal - serverMicros);
        histRead_.add(now + realMinusSteadyMicros_ - arrivedReal);
      }
      pendingSentAt = -1;
    } else if (at.starts_with(kLikesMark)) {
      pos += kLikesMark.size();
      if (sending_.load(std::memory_order_relaxed)) ++likeEvents_[local];
      auto t = text.find(kTotalMark, pos);
      if (t != std::string_view::npos) {
        t += kTotalMark.size();
        likesTotalSeen_ = std::max(likesTotalSeen_, takeNumber(text, t));
      }
    } else {
      pos += kKeyStart.size();
    }
  }
}

void LoadWorker::onCompletion(const RecvRing::Completion& c) {
  if (c.tag == kEpollTag) {
    if (!c.more) ring_.poll(epoll_, kEpollTag);
    return;
  }
  const auto local = static_cast<std::size_t>(c.tag);
  auto& client = *clients_[local];
  if (client.state() == LoadClient::State::Closed) return;  // what was still on its way
  const auto before = client.state();
  if (c.res > 0) client.onData(c.data, c.arrivalRealMicros, *this);
  if (!c.more && client.state() != LoadClient::State::Closed) {
    if (c.res == 0)
      client.onEnd(0);
    else if (c.res > 0 || c.res == -ENOBUFS)  // ended early or out of buffers: go on reading
      ring_.receive(client.fd(), local);
    else
      client.onEnd(c.res);
  }
  noteState(local, before);
  if (client.state() != LoadClient::State::Closed) watch(local);
}

void LoadWorker::waitAndHandle() {
  epoll_event events[512];
  const int timeoutMs = sending_.load() ? 1 : 10;
  int n = 0;
  if (ring_.available()) {
    ring_.wait(timeoutMs);
    ring_.drain([this](const RecvRing::Completion& c) { onCompletion(c); });
    n = ::epoll_wait(epoll_, events, 512, 0);  // handshakes, full send buffers
  } else {
    n = ::epoll_wait(epoll_, events, 512, timeoutMs);
  }
  for (int i = 0; i < n; ++i) handle(static_cast<std::size_t>(events[i].data.u64), events[i].events);
}

void LoadWorker::run() {
  // Opened here: the ring belongs to the thread that set it up (IORING_SETUP_SINGLE_ISSUER).
  if (cfg_.uring && ring_.open(clients_.size())) {
    ring_.poll(epoll_, kEpollTag);
    uringUsed_.store(true);
  }
  while (running_.load()) {
    connectMore();
    sendDue();
    waitAndHandle();
  }
}

void LoadWorker::addTo(Totals& t) const {
  t.delivered += delivered_.load();
  t.outOfOrder += outOfOrder_;
  t.likesSent += likeFramesSent_ * cfg_.likeBatch;
  for (auto e : likeEvents_) {
    t.likeEvents += e;
    t.likeEventsMaxClient = std::max<std::uint64_t>(t.likeEventsMaxClient, e);
  }
  t.likesTotalSeen = std::max(t.likesTotalSeen, likesTotalSeen_);
  t.closed += closed_.load();
  for (const auto& r : closeReasons_)
    if (t.closeReasons.size() < 5) t.closeReasons.push_back(r);
  t.hist.merge(hist_);
  t.histIn.merge(histIn_);
  t.histServer.merge(histServer_);
  t.histRead.merge(histRead_);
}

}  // namespace hub::bench
