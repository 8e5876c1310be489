// core/sql/change_feed.h
//
// A cheap way for a running hub to notice writes made by someone else, such as the `hub`
// admin CLI writing the store directly: the writer bumps a topic's version in hub_changes
// (ideally in the same transaction as its change), and every hub's ChangeWatcher polls that
// small table and reloads what the topic covers. Topics are short names the owning module
// chooses: "media.streams", "cms.accounts".
#pragma once

#include <string_view>
#include <vector>

#include "core/sql/executor.h"
#include "core/sql/migration.h"

namespace hub::sql {

// The migrations of core itself (component "core"); today the hub_changes table.
// The app puts them first in the list it hands to migrate().
std::vector<Migration> coreMigrations();

// Adds 1 to the topic's version, creating it at 1. Works on a Database or inside a
// Transaction, on both dialects. Topics are 1 to 64 bytes.
Status bumpChange(Executor& db, std::string_view topic);

}  // namespace hub::sql
