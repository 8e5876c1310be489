// core/loop/thread_name.cpp
//
// pthread_setname_np wrapper: the kernel limit is 16 bytes with the terminator.
#include "core/loop/thread_name.h"

#include <pthread.h>

#include <string>

namespace hub::loop {

void setThreadName(std::string_view name) {
  std::string n(name.substr(0, 15));
  pthread_setname_np(pthread_self(), n.c_str());
}

}  // namespace hub::loop
