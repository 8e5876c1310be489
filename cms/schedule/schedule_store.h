// cms/schedule/schedule_store.h
//
// The calendar's rows: creating schedules for one item on many accounts at many times (and
// recurring ones), cancelling and moving them, and the calendar query. Validation answers per
// field (the API's 422): times in the past, unknown accounts, accounts the caller may not
// publish to, and each platform's posts-per-day limit per Asia/Shanghai day (counting what is
// already scheduled). Rows are stored in UTC epoch seconds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cms/schedule/recurrence.h"
#include "cms/schedule/sources.h"
#include "core/sql/database.h"
#include "core/util/clock.h"

namespace hub::cms::schedule {

using FieldErrors = std::map<std::string, std::string>;

struct ScheduleRow {
  std::int64_t id = 0;
  std::int64_t orgId = 0;  // the account's organisation
  std::int64_t itemId = 0;
  std::int64_t accountId = 0;
  std::string platform;
  std::string title;
  std::string accountName;
  std::int64_t dueAt = 0;
  std::string state;  // scheduled, publishing, published, failed, unconfirmed, canceled
  std::optional<std::int64_t> recurrenceId;
  std::string remoteId;
  std::string lastError;
  int attempts = 0;
  std::int64_t postedAtMs = 0;
};

nlohmann::json toJson(const ScheduleRow& r);

struct NewSchedule {
  std::int64_t itemId = 0;
  std::vector<std::int64_t> accountIds;
  std::vector<std::int64_t> times;  // epoch seconds
  std::optional<Recurrence> recurrence;
};

struct StoreLimits {
  std::size_t maxOccurrences = 400;  // rows one request may create
  std::int64_t maxCalendarDays = 92;
  int maxPage = 2000;
};

// Posts a platform allows per account and Shanghai day (0 = no limit).
using PostsPerDay = std::function<int(const AccountInfo&)>;
// May the caller schedule to an account of this organisation?
using MayPublish = std::function<bool(std::int64_t orgId)>;

struct CalendarQuery {
  std::int64_t from = 0, to = 0;       // [from, to) epoch seconds
  std::optional<std::string> orgPath;  // "/1/5/" : only that organisation's subtree
  std::optional<std::string> platform;
  std::optional<std::int64_t> accountId;
  std::optional<std::int64_t> groupId;
  std::optional<std::string> state;
  std::vector<std::string> visiblePaths;  // the caller's path prefixes with "%" (Access::visiblePaths)
  int limit = 500;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // (due_at, id) of the last row seen
};

class ScheduleStore {
 public:
  ScheduleStore(AccountSource& accounts, ContentSource& content, const Clock& clock, PostsPerDay postsPerDay,
                StoreLimits limits = {})
      : accounts_(accounts),
        content_(content),
        clock_(clock),
        postsPerDay_(std::move(postsPerDay)),
        limits_(limits) {}

  // Validates and inserts; on a validation problem `fields` is filled and the error code is
  // "validation". The item must exist ("schedule.item_not_found").
  Result<std::vector<ScheduleRow>> create(sql::Executor& tx, std::int64_t actorId, const NewSchedule& request,
                                          const MayPublish& mayPublish, FieldErrors& fields);

  Result<ScheduleRow> get(sql::Executor& db, std::int64_t id);
  // Every row of one item (its publishing targets), cancelled ones too, by (due_at, id).
  Result<std::vector<ScheduleRow>> forItem(sql::Executor& db, std::int64_t itemId);
  // Only rows still "scheduled" may be cancelled or moved ("schedule.not_scheduled", 409).
  Result<ScheduleRow> cancel(sql::Executor& tx, std::int64_t id);
  Result<ScheduleRow> reschedule(sql::Executor& tx, std::int64_t id, std::int64_t newTime,
                                 FieldErrors& fields);
  // Cancels the still-scheduled rows of a recurrence; returns how many.
  Result<int> cancelRecurrence(sql::Executor& tx, std::int64_t recurrenceId);

  // Validated by the caller (range within maxCalendarDays). Ordered by (due_at, id).
  Result<std::vector<ScheduleRow>> calendar(sql::Executor& db, const CalendarQuery& q);

  const StoreLimits& limits() const { return limits_; }

 private:
  Status checkDailyLimit(sql::Executor& tx, const AccountInfo& account,
                         const std::vector<std::int64_t>& times, std::optional<std::int64_t> excludeId,
                         FieldErrors& fields, const std::string& field);

  AccountSource& accounts_;
  ContentSource& content_;
  const Clock& clock_;
  PostsPerDay postsPerDay_;
  StoreLimits limits_;
};

}  // namespace hub::cms::schedule
