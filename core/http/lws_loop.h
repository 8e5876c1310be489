// core/http/lws_loop.h
//
// The event loop under one lws context: a libev loop of ours (epoll: a wake-up costs the
// sockets that are ready) when lws' libev plugin (Debian's libwebsockets-evlib-ev) starts,
// else lws' own poll(), which walks every socket of the context on each wake-up. Owned and run
// by one thread (a ContextThread's), one pass at a time.
//
// lws 4.1.6's libev glue arms its timer only after an I/O callback or when it fires, with
// ev_timer_set + ev_timer_start, which libev ignores on a timer already running: a sooner lws
// timer (lws_set_timeout) would wait for a later one already armed. Two ways round it here: a
// tick of ours, an lws timer every kTick that schedules itself again, so lws' timer is never
// armed further out than that and lws' own timeouts (whole seconds) fire at most a tick late;
// and the one timer the owner needs to the millisecond (the coalescing hold) is a libev timer
// of ours on the same loop.
//
// Input lws already holds (its buflist, a TLS record's rest) raises no event, and the glue
// serves it only from an idle watcher that a busy loop never runs: runOnce() serves it after
// each pass, as lws' own poll() loop does.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <libwebsockets.h>

struct ev_loop;
struct ev_timer;

namespace hub::http {

class LwsLoop {
 public:
  static constexpr std::chrono::milliseconds kTick{100};

  LwsLoop();
  ~LwsLoop();
  LwsLoop(const LwsLoop&) = delete;
  LwsLoop& operator=(const LwsLoop&) = delete;

  // Creates the context on a libev loop when `epoll` and the plugin starts, else on lws'
  // poll() (a fall-back that starts is logged, once per process); nullptr when neither starts.
  lws_context* create(lws_context_creation_info info, bool epoll);
  // One pass: waits for what is ready (or a timer) and serves it; with `wait` false on the
  // libev loop, serves only what is ready now. False once lws gave up.
  bool runOnce(bool wait = true);
  // True on the libev loop, false on lws' poll() (whose pass always waits).
  bool evented() const { return loop_ != nullptr; }
  // The owner's timer: `fn` runs on the loop thread when it fires. Armed again, the new
  // deadline replaces the old one.
  void setTimerCallback(std::function<void()> fn) { timerFn_ = std::move(fn); }
  void armTimer(std::chrono::microseconds delay);
  // Destroys the context (lws closes what is left, through its callbacks), then the loop.
  void destroy();

 private:
  static void onTick(lws_sorted_usec_list_t* sul);
  static void onTimerSul(lws_sorted_usec_list_t* sul);
  static void onEvTimer(struct ev_loop* loop, ev_timer* timer, int revents);

  struct Sul {
    lws_sorted_usec_list_t sul;  // first member: the callbacks cast back
    LwsLoop* self;
  };
  lws_context* context_ = nullptr;
  struct ev_loop* loop_ = nullptr;   // nullptr: lws' poll()
  std::unique_ptr<ev_timer> timer_;  // the owner's timer on the libev loop
  Sul tick_{{}, this};
  Sul timerSul_{{}, this};  // the owner's timer on lws' poll()
  std::function<void()> timerFn_;
};

}  // namespace hub::http
