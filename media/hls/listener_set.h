// media/hls/listener_set.h
//
// The SegmentListeners of a registry (the recorder), called on packager threads. Listeners are
// added before streams open; the list is then only read, under a lock for safety.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "media/hls/segment_listener.h"

namespace hub::media::hls {

class ListenerSet {
 public:
  void add(SegmentListener* l) {
    std::lock_guard lock(mu_);
    listeners_.push_back(l);
  }
  void sessionStarted(const std::string& stream) {
    for (auto* l : snapshot()) l->sessionStarted(stream);
  }
  void segment(const SegmentEvent& e) {
    for (auto* l : snapshot()) l->segment(e);
  }
  void sessionEnded(const std::string& stream) {
    for (auto* l : snapshot()) l->sessionEnded(stream);
  }

 private:
  std::vector<SegmentListener*> snapshot() {
    std::lock_guard lock(mu_);
    return listeners_;
  }
  std::mutex mu_;
  std::vector<SegmentListener*> listeners_;
};

}  // namespace hub::media::hls
