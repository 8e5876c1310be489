// chat/fanout/tests/engine_contract.h
//
// The contract every fan-out engine keeps (engine.h), as a value-parameterized GoogleTest suite.
// An engine's test binary compiles engine_contract.cpp and instantiates the suite with a factory
// for its engine:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, EngineContract, ::testing::Values(ClusterFactory{...}),
//                            clusterName);
//
// A cluster makes "nodes": engines that share one backend (memory: one MemoryBackend; Redis: one
// server), so the suite checks what crosses nodes. Room names are unique per test, so a shared
// Redis needs no flushing between tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "chat/fanout/engine.h"

namespace hub::chat::fanout::test {

class EngineCluster {
 public:
  virtual ~EngineCluster() = default;
  virtual std::unique_ptr<Engine> node() = 0;  // not started yet
};

struct ClusterFactory {
  std::string name;  // shown in the test names
  std::function<std::unique_ptr<EngineCluster>(const EngineOptions&)> make;
};

inline std::string PrintToString(const ClusterFactory& f) { return f.name; }

// Names the instantiated tests after the factory: EngineContract/memory, EngineContract/redis.
inline std::string clusterName(const ::testing::TestParamInfo<ClusterFactory>& p) { return p.param.name; }

class EngineContract : public ::testing::TestWithParam<ClusterFactory> {};

}  // namespace hub::chat::fanout::test
