// cms/live/live_follower.h
//
// Moves each live event's state with its stream, from media's announcements on the bus topic
// "media.streams" (core/service/streams.h): "live" -> live (from scheduled or ended: a host may
// reconnect), "ended" -> ended, "recorded" (ready) -> replay_available, which also creates the
// replay as a draft content item of type video for review. Each move is a conditional UPDATE
// audited in its transaction, so with several CMS nodes hearing the same announcement one of
// them records it. Once live, the event leaves media's upcoming listing.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cms/api/cms_context.h"
#include "core/bus/subscription.h"

namespace hub::cms::live {

class LiveFollower {
 public:
  explicit LiveFollower(CmsContext& ctx) : ctx_(ctx) {}
  ~LiveFollower() { stop(); }
  void start();
  void stop();

  // Blocking (SQL, bus): applies one announcement. Public for tests.
  void apply(const std::string& event, const std::string& stream, const std::string& recordingId);

 private:
  CmsContext& ctx_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  bus::Subscription sub_;
};

}  // namespace hub::cms::live
