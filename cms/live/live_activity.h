// cms/live/live_activity.h
//
// The chat history of live events' rooms for the control room's charts: the chat service's
// activity announcements (core/service/chat_activity.h) stored per room, minute and chat node in
// cms_live_chat_minutes (component "cms.live_activity"), and read back as messages and likes per
// minute. A later announcement of the same node and minute replaces the earlier one, so several
// CMS nodes hearing the same announcement write the same row. Rows older than 7 days are
// dropped about hourly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cms/api/cms_context.h"
#include "core/bus/subscription.h"
#include "core/sql/executor.h"
#include "core/sql/migration.h"
#include "core/util/result.h"

namespace hub::cms::live {

std::vector<sql::Migration> activityMigrations();

struct ChatMinute {
  std::int64_t minuteMs = 0;  // UTC ms, start of the minute
  std::int64_t messages = 0;  // all chat nodes
  std::int64_t likes = 0;     // likes in that minute (the total's growth since the minute before)
};

// Blocking: stores one announcement's payload. Error "live.bad_activity" for a malformed one.
Status recordChatActivity(sql::Executor& db, std::string_view payload, std::int64_t nowMs);
// Blocking: the minutes of `room` from `sinceMs` on, oldest first.
Result<std::vector<ChatMinute>> chatMinutes(sql::Executor& db, const std::string& room, std::int64_t sinceMs);

// Subscribes to the announcements and stores each one on the worker pool.
class ChatActivityRecorder {
 public:
  explicit ChatActivityRecorder(CmsContext& ctx) : ctx_(ctx) {}
  ~ChatActivityRecorder() { stop(); }
  void start();
  void stop();

 private:
  CmsContext& ctx_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  bus::Subscription sub_;
};

}  // namespace hub::cms::live
