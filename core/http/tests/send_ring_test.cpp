// core/http/tests/send_ring_test.cpp
//
// SendRing: first in, first out through the inline slots, a growth to the heap while the ring
// has wrapped, and back; a popped message is released at once (the shared buffer of a chat event
// must not live on in an empty slot).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/http/send_ring.h"

namespace hub::http {
namespace {

using Ring = SendRing<std::shared_ptr<const std::string>, 2>;

std::shared_ptr<const std::string> text(int n) {
  return std::make_shared<const std::string>(std::to_string(n));
}

TEST(SendRing, KeepsOrderThroughWrapAndGrowth) {
  Ring ring;
  int pushed = 0, popped = 0;
  // Wrap the inline slots first, then grow while the head is not at slot 0.
  ring.push_back(text(pushed++));
  ring.push_back(text(pushed++));
  EXPECT_EQ(*ring.front(), std::to_string(popped++));
  ring.pop_front();
  for (int i = 0; i < 200; ++i) ring.push_back(text(pushed++));
  EXPECT_EQ(ring.size(), 201u);
  while (!ring.empty()) {
    EXPECT_EQ(*ring.front(), std::to_string(popped++));
    ring.pop_front();
  }
  EXPECT_EQ(popped, pushed);
  // Emptied after a backlog above 64: inline again, and still in order.
  for (int i = 0; i < 5; ++i) ring.push_back(text(pushed++));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(*ring.front(), std::to_string(popped++));
    ring.pop_front();
  }
  EXPECT_TRUE(ring.empty());
}

TEST(SendRing, ReleasesWhatItPopsAndClears) {
  Ring ring;
  auto shared = text(7);
  for (int i = 0; i < 10; ++i) ring.push_back(shared);
  EXPECT_EQ(shared.use_count(), 11);
  ring.pop_front();
  EXPECT_EQ(shared.use_count(), 10);
  ring.clear();
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(shared.use_count(), 1);
  ring.push_back(text(1));
  EXPECT_EQ(*ring.front(), "1");
}

}  // namespace
}  // namespace hub::http
