// core/loop/thread_name.h
//
// Names the calling thread ("hub-http-0", "hub-sql-2") so top, gdb and perf show who is busy.
#pragma once

#include <string_view>

namespace hub::loop {

// Linux keeps at most 15 characters; longer names are cut.
void setThreadName(std::string_view name);

}  // namespace hub::loop
