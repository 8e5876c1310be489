// cms/schedule/schedule_migrations.h
//
// Component "cms.schedule": cms_schedules (one row per item, account and time: the calendar),
// cms_recurrences (the rules behind recurring rows), cms_outbox (one row per claimed schedule
// row: what is being sent and how far it got) and cms_inflight (primary key (item, account):
// at most one attempt in flight per pair, on every node).
#pragma once

#include <vector>

#include "core/sql/migration.h"

namespace hub::cms::schedule {

std::vector<sql::Migration> migrations();

}  // namespace hub::cms::schedule
