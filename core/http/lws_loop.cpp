// core/http/lws_loop.cpp
//
// See lws_loop.h. lws 4.1.6 with a foreign libev loop: lws watches its sockets and its wake-up
// pipe with ev_io watchers, runs its timers from one ev_timer and an ev_idle watcher started
// after each I/O callback; we only run the loop. Its destroy path stops every watcher of its
// own and closes the wake-up pipe once (the libev glue has a destroy_wsi), so the loop is
// destroyed right after the context.
#include "core/http/lws_loop.h"

#include <ev.h>

#include <atomic>
#include <cstdint>

#include "core/log/log.h"

namespace hub::http {

namespace {

const auto& logger() {
  static const auto log = hub::log::get("core.http");
  return log;
}

constexpr lws_usec_t kTickUs = std::chrono::microseconds(LwsLoop::kTick).count();

}  // namespace

LwsLoop::LwsLoop() : timer_(std::make_unique<ev_timer>()) {
  ev_timer_init(timer_.get(), &LwsLoop::onEvTimer, 0., 0.);
  timer_->data = this;
}

LwsLoop::~LwsLoop() { destroy(); }

lws_context* LwsLoop::create(lws_context_creation_info info, bool epoll) {
  if (epoll) {
    // Our loop, not one lws makes: lws then installs no signal watcher; EVFLAG_NOSIGMASK keeps
    // libev off the signal mask, EVFLAG_NOENV off the environment.
    loop_ = ev_loop_new(unsigned{EVBACKEND_EPOLL} | unsigned{EVFLAG_NOENV} | unsigned{EVFLAG_NOSIGMASK});
    if (loop_) {
      void* loops[] = {loop_};
      info.options |= LWS_SERVER_OPTION_LIBEV;
      info.foreign_loops = loops;
      context_ = lws_create_context(&info);
      if (context_) {
        // Before the loop first runs: lws arms its timer for what is due soonest, the tick.
        lws_sul_schedule(context_, 0, &tick_.sul, &LwsLoop::onTick, kTickUs);
        return context_;
      }
      ev_loop_destroy(loop_);
      loop_ = nullptr;
    }
  }
  info.options &= ~static_cast<std::uint64_t>(LWS_SERVER_OPTION_LIBEV);
  info.foreign_loops = nullptr;
  context_ = lws_create_context(&info);
  // Only when poll() starts was it the libev loop that failed (a bad TLS file fails both).
  static std::atomic<bool> logged{false};
  if (epoll && context_ && !logged.exchange(true))
    logger()->warn(
        "lws on a libev loop did not start (is libwebsockets-evlib-ev installed?): "
        "loops serve with lws' poll()");
  return context_;
}

bool LwsLoop::runOnce(bool wait) {
  if (!context_) return false;
  if (!loop_) return lws_service(context_, 0) >= 0;
  ev_run(loop_, wait ? EVRUN_ONCE : EVRUN_NOWAIT);
  // Input lws already holds (its buflist: pipelined requests, frames read with an upgrade;
  // records left inside OpenSSL) raises no event. The libev glue serves it only from its idle
  // watcher, which libev runs on a pass with no socket ready, so a busy loop could leave it
  // for seconds. Served after every pass instead, as lws' own poll() loop does. Not through
  // lws_service_tsi(): on an event lib that runs the whole loop and does not return.
  if (lws_service_adjust_timeout(context_, 1, 0) == 0) (void)_lws_plat_service_forced_tsi(context_, 0);
  return true;
}

void LwsLoop::armTimer(std::chrono::microseconds delay) {
  if (!context_) return;
  if (!loop_) {
    lws_sul_schedule(context_, 0, &timerSul_.sul, &LwsLoop::onTimerSul, delay.count());
    return;
  }
  // libev counts from the time it read at the start of the pass, which a long pass leaves
  // behind: read it again so the hold is not cut short.
  ev_now_update(loop_);
  ev_timer_stop(loop_, timer_.get());
  ev_timer_set(timer_.get(), std::chrono::duration<double>(delay).count(), 0.);
  ev_timer_start(loop_, timer_.get());
}

void LwsLoop::destroy() {
  if (!context_) return;
  lws_sul_cancel(&tick_.sul);
  lws_sul_cancel(&timerSul_.sul);
  if (loop_) ev_timer_stop(loop_, timer_.get());
  lws_context_destroy(context_);
  context_ = nullptr;
  if (loop_) {
    ev_loop_destroy(loop_);
    loop_ = nullptr;
  }
}

void LwsLoop::onTick(lws_sorted_usec_list_t* sul) {
  auto* self = reinterpret_cast<Sul*>(sul)->self;  // sul is its first member
  lws_sul_schedule(self->context_, 0, &self->tick_.sul, &LwsLoop::onTick, kTickUs);
}

void LwsLoop::onTimerSul(lws_sorted_usec_list_t* sul) {
  auto* self = reinterpret_cast<Sul*>(sul)->self;
  if (self->timerFn_) self->timerFn_();
}

void LwsLoop::onEvTimer(struct ev_loop*, ev_timer* timer, int) {
  auto* self = static_cast<LwsLoop*>(timer->data);
  if (self->timerFn_) self->timerFn_();
}

}  // namespace hub::http
