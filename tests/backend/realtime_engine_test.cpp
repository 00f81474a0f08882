#include <doctest/doctest.h>

#include <vector>

#include "backend/realtime_engine.h"
#include "config/config.h"

namespace scoville::backend {
namespace {

simulator::StepCostModel h100_8b() {
  const config::Config config = *config::builtin_config();
  return *simulator::StepCostModel::create(
      simulator::EngineShape{*config.find_device("h100"), *config.find_model("llama-3.1-8b"), 1,
                             config::Precision::kBf16, config::Precision::kBf16, 0.9});
}

// Runs the engine 1000 times faster than real time, so a test takes milliseconds.
constexpr double kFast = 0.001;

TEST_CASE("every submitted request streams all its tokens and then finishes") {
  asio::io_context io;
  RealtimeEngine engine(io.get_executor(), h100_8b(), scheduler::SchedulerConfig{},
                        scheduler::SpeculativeConfig{}, 1, kFast);
  std::vector<int> tokens(3, 0);
  std::vector<int> finished(3, 0);
  for (int i = 0; i < 3; ++i) {
    engine.submit(
        100 * (i + 1), 20 + i, 0,
        GenerationCallbacks{[&, i](std::int32_t n) { tokens[static_cast<std::size_t>(i)] += n; },
                            [&, i](std::int32_t) { finished[static_cast<std::size_t>(i)] += 1; }});
  }
  io.run();
  CHECK(tokens == std::vector<int>{20, 21, 22});
  CHECK(finished == std::vector<int>{1, 1, 1});
  CHECK(engine.status().running == 0);
  CHECK(engine.status().kv_utilization == 0.0);
}

TEST_CASE("a cancelled request stops streaming and frees its KV") {
  asio::io_context io;
  RealtimeEngine engine(io.get_executor(), h100_8b(), scheduler::SchedulerConfig{},
                        scheduler::SpeculativeConfig{}, 1, kFast);
  int tokens = 0;
  int finished = 0;
  std::uint64_t id = 0;
  id = engine.submit(100, 1000, 0,
                     GenerationCallbacks{[&](std::int32_t n) {
                                           tokens += n;
                                           if (tokens >= 5) engine.cancel(id);
                                         },
                                         [&](std::int32_t) { ++finished; }});
  io.run();
  CHECK(tokens >= 5);
  CHECK(tokens < 1000);
  CHECK(finished == 0);
  CHECK(engine.status().running == 0);
  CHECK(engine.status().kv_utilization == 0.0);
}

TEST_CASE("the engine knows which requests can never fit its KV cache") {
  asio::io_context io;
  RealtimeEngine engine(io.get_executor(), h100_8b(), scheduler::SchedulerConfig{},
                        scheduler::SpeculativeConfig{}, 1, kFast);
  CHECK(engine.fits(100000));
  CHECK_FALSE(engine.fits(10'000'000));
}

}  // namespace
}  // namespace scoville::backend
