// core/bus/tests/bus_contract.h
//
// The contract every bus engine keeps, as one value-parameterized suite. Each engine's test
// executable instantiates it with a factory (memory_bus_test.cpp, redis_bus_test.cpp), so the
// memory and Redis engines are held to exactly the same behaviour.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "core/bus/bus.h"

namespace hub::bus::test {

struct Engine {
  std::string name;
  std::function<std::string()> url;  // evaluated inside the test, so fixtures can fail it
};

inline std::string engineName(const ::testing::TestParamInfo<Engine>& info) { return info.param.name; }

class BusContract : public ::testing::TestWithParam<Engine> {
 protected:
  std::unique_ptr<Bus> openBus(const Options& options = {});
  // Publishing right after subscribe() is only safe once the engine confirmed the channel.
  Subscription subscribeConfirmed(Bus& bus, const std::string& channel, Handler handler);
};

}  // namespace hub::bus::test
