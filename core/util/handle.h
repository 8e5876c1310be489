// core/util/handle.h
//
// One owner for every C handle, at zero cost: Handle<T, Free> is a unique_ptr whose deleter
// calls Free. Free must have external linkage (wrap `static inline` C functions first).
#pragma once

#include <memory>

namespace hub {

template <auto Free>
struct FnDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    if (p) Free(p);
  }
};

template <class T, auto Free>
using Handle = std::unique_ptr<T, FnDeleter<Free>>;

}  // namespace hub
