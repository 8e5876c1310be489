// cms/live/live_follower.h
//
// Moves each live event's state with its stream, from media's announcements on the bus topic
// "media.streams" (core/service/streams.h): "live" -> live (from scheduled or ended: a host may
// reconnect), "ended" -> ended, "recorded" (ready) -> replay_available, which also creates the
// replay as a draft content item of type video for review. Each move is a conditional UPDATE
// audited in its transaction, so with several CMS nodes hearing the same announcement one of
// them records it. Once live, the event leaves media's upcoming listing.
// The bus delivers at most once, so a catch-up poll also runs at start and every
// `[cms] live_poll_interval` seconds of the injected clock: it asks media (Streams::get) whether
// each event that is live, or should be by its times, has a publisher, and applies "live" or
// "ended" where the event's state drifted (audited with "source": "poll"). A lost "recorded"
// is not caught up (Streams does not report recordings).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "cms/api/cms_context.h"
#include "core/bus/subscription.h"

namespace hub::cms::live {

class LiveFollower {
 public:
  explicit LiveFollower(CmsContext& ctx) : ctx_(ctx) {}
  ~LiveFollower() { stop(); }
  void start();
  void stop();

  // Blocking (SQL, bus): applies one announcement. `source` ("announcement" or "poll") goes
  // into the audit. Public for tests.
  void apply(const std::string& event, const std::string& stream, const std::string& recordingId,
             std::string_view source = "announcement");
  // Blocking: one catch-up poll (events live, or from an hour before their start to an hour
  // after their end). Returns how many events it moved.
  int catchUp();

 private:
  void pollLoop();

  CmsContext& ctx_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  bus::Subscription sub_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace hub::cms::live
