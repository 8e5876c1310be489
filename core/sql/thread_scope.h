// core/sql/thread_scope.h
//
// Connector/C++ 1.1 wants driver->threadInit() in every thread that uses it and threadEnd()
// before that thread exits. hub::sql does the init itself on a thread's first MySQL call and
// the end at thread exit; a worker pool that wants the end at a known point (before its
// threads are joined, while the driver surely still exists) holds a ThreadScope for the
// thread's lifetime. Scopes nest; the outermost one ends the thread's driver state. Costs
// nothing in threads that never touch MySQL: the driver is not even loaded then.
#pragma once

namespace hub::sql {

class ThreadScope {
 public:
  ThreadScope();
  ~ThreadScope();
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;
};

}  // namespace hub::sql
