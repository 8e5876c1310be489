// chat/fanout/tests/memory_engine_test.cpp
//
// Runs the engine contract against the memory engine: nodes of one cluster share a backend.
#include "chat/fanout/memory_engine.h"
#include "chat/fanout/tests/engine_contract.h"

namespace hub::chat::fanout::test {
namespace {

class MemoryCluster final : public EngineCluster {
 public:
  explicit MemoryCluster(const EngineOptions& options)
      : backend_(std::make_shared<MemoryBackend>(options, SystemClock::instance())) {}
  std::unique_ptr<Engine> node() override { return std::make_unique<MemoryEngine>(backend_); }

 private:
  std::shared_ptr<MemoryBackend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Memory, EngineContract,
                         ::testing::Values(ClusterFactory{
                             "memory",
                             [](const EngineOptions& o) -> std::unique_ptr<EngineCluster> {
                               return std::make_unique<MemoryCluster>(o);
                             }}),
                         clusterName);

}  // namespace
}  // namespace hub::chat::fanout::test
