#include <doctest/doctest.h>

#include "simulator/step_cost_model.h"
#include "tests/simulator/sim_test_support.h"

namespace scoville::simulator {
namespace {

StepCostModel model_for(const config::Config& config, const std::string& device,
                        const std::string& model, int tp = 1,
                        config::Precision precision = config::Precision::kBf16) {
  Result<StepCostModel> cost =
      StepCostModel::create(EngineShape{*config.find_device(device), *config.find_model(model), tp,
                                        precision, config::Precision::kBf16, 0.9});
  REQUIRE_MESSAGE(cost.has_value(), (cost ? "" : cost.error().message));
  return *cost;
}

scheduler::StepWork decode(std::int64_t sequences, double context_per_sequence) {
  scheduler::StepWork work;
  work.decode_tokens = sequences;
  work.decode_context_tokens = context_per_sequence * static_cast<double>(sequences);
  work.logit_sequences = static_cast<std::int32_t>(sequences);
  return work;
}

scheduler::StepWork prefill(std::int64_t tokens) {
  scheduler::StepWork work;
  work.prefill_tokens = tokens;
  work.prefill_attention_pairs = static_cast<double>(tokens) * static_cast<double>(tokens + 1) / 2;
  work.logit_sequences = 1;
  return work;
}

TEST_CASE(
    "a batch-1 decode of an 8B BF16 model on an H100 takes its weight bytes over "
    "effective bandwidth") {
  const config::Config config = testing::catalog();
  const StepCostModel cost = model_for(config, "h100", "llama-3.1-8b");
  const StepTime t = cost.time(decode(1, 100));

  // About 15 GB streamed at 3.35 TB/s x 0.90: close to 5 ms, memory-bound.
  const double expected = cost.weight_bytes() / (3.35e12 * 0.90);
  CHECK(t.memory_seconds == doctest::Approx(expected).epsilon(0.01));
  CHECK(expected == doctest::Approx(0.0050).epsilon(0.05));
  CHECK_FALSE(t.compute_bound());
  CHECK(t.total_seconds() == doctest::Approx(t.memory_seconds + 0.0015));
}

TEST_CASE("a large prefill is compute-bound at the calibrated efficiency") {
  const config::Config config = testing::catalog();
  const StepCostModel cost = model_for(config, "h100", "llama-3.1-8b");
  const StepTime t = cost.time(prefill(8192));
  CHECK(t.compute_bound());
  // Linear layers dominate: 2 x 7.5e9 FLOPs per token at 989 TFLOPS x 0.69, plus attention.
  const double linear = 2.0 * (8.03e9 - 2 * 4096.0 * 128256) * 8192 / (989e12 * 0.69);
  CHECK(t.compute_seconds > linear);
  CHECK(t.compute_seconds < linear * 1.25);
}

TEST_CASE("fp8 weights halve the bytes streamed and double the peak") {
  const config::Config config = testing::catalog();
  const StepCostModel bf16 = model_for(config, "h100", "llama-3.1-8b");
  const StepCostModel fp8 = model_for(config, "h100", "llama-3.1-8b", 1, config::Precision::kFp8);
  CHECK(fp8.weight_bytes() == doctest::Approx(bf16.weight_bytes() / 2));
  CHECK(fp8.time(prefill(8192)).compute_seconds ==
        doctest::Approx(bf16.time(prefill(8192)).compute_seconds / 2).epsilon(0.01));
}

TEST_CASE("tensor parallelism divides the work and adds all-reduce time") {
  const config::Config config = testing::catalog();
  const StepCostModel tp1 = model_for(config, "h100", "llama-3.1-8b", 1);
  const StepCostModel tp2 = model_for(config, "h100", "llama-3.1-8b", 2);
  const StepTime one = tp1.time(prefill(4096));
  const StepTime two = tp2.time(prefill(4096));
  CHECK(two.compute_seconds == doctest::Approx(one.compute_seconds / 2));
  CHECK(two.communication_seconds > 0.0);
  CHECK(one.communication_seconds == 0.0);
  CHECK(tp2.kv_capacity_tokens() > 2 * tp1.kv_capacity_tokens());
}

TEST_CASE("a model whose weights do not fit is rejected with the sizes involved") {
  const config::Config config = testing::catalog();
  Result<StepCostModel> cost = StepCostModel::create(
      EngineShape{*config.find_device("h100"), *config.find_model("llama-3.1-70b"), 1,
                  config::Precision::kBf16, config::Precision::kBf16, 0.9});
  REQUIRE_FALSE(cost.has_value());
  CHECK(cost.error().message.find("llama-3.1-70b in bf16 needs 141.1 GB for its weights, but "
                                  "1 x h100 offers 72.0 GB") != std::string::npos);
}

TEST_CASE("a precision the device lacks is rejected") {
  const config::Config config = testing::catalog();
  Result<StepCostModel> cost = StepCostModel::create(
      EngineShape{*config.find_device("h100"), *config.find_model("llama-3.1-8b"), 1,
                  config::Precision::kFp4, config::Precision::kBf16, 0.9});
  REQUIRE_FALSE(cost.has_value());
  CHECK(cost.error().message == "device \"h100\" has no fp4 peak (dense_flops_per_second.fp4)");
}

}  // namespace
}  // namespace scoville::simulator
