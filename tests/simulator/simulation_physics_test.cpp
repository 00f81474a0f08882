// Tests of the simulator's physics: each checks a behaviour real serving engines show.
#include <doctest/doctest.h>

#include "simulator/step_cost_model.h"
#include "tests/simulator/sim_test_support.h"

namespace scoville::simulator {
namespace {

using testing::catalog;
using testing::group;
using testing::simulate;
using testing::uniform_requests;

// Zero per-step overhead, so that timings show the roofline alone.
const char* kNoOverhead = R"({"devices": {
  "h100": {"efficiency": {"step_overhead_seconds": 0}},
  "h200": {"efficiency": {"step_overhead_seconds": 0}}}})";

double output_tokens_per_second(const SimulationResult& r) {
  return static_cast<double>(r.overall.output_tokens) / r.duration_seconds;
}

double input_tokens_per_second(const SimulationResult& r) {
  return static_cast<double>(r.overall.input_tokens) / r.duration_seconds;
}

TEST_CASE("an H200 beats an H100 by its bandwidth ratio on long decode-heavy work") {
  const config::Config config = catalog(kNoOverhead);
  const auto work = uniform_requests(8, 64, 2048);
  const SimulationResult h100 = simulate(config, {group("h100", "llama-3.1-8b")}, work);
  const SimulationResult h200 = simulate(config, {group("h200", "llama-3.1-8b")}, work);
  CHECK(output_tokens_per_second(h200) / output_tokens_per_second(h100) ==
        doctest::Approx(4.8 / 3.35).epsilon(0.03));
}

TEST_CASE("an H200 ties with an H100 on short compute-bound work") {
  const config::Config config = catalog(kNoOverhead);
  const auto work = uniform_requests(32, 4096, 1);
  const SimulationResult h100 = simulate(config, {group("h100", "llama-3.1-8b")}, work);
  const SimulationResult h200 = simulate(config, {group("h200", "llama-3.1-8b")}, work);
  CHECK(input_tokens_per_second(h200) / input_tokens_per_second(h100) ==
        doctest::Approx(1.0).epsilon(0.03));
  CHECK(h100.groups[0].stats.compute_bound_steps == h100.groups[0].stats.steps);
}

// An H100 with 20 GB of memory: 18 GB usable, 16 GB of Llama 3.1 8B weights, so about 15k
// tokens of KV cache.
const char* kSmallMemory = R"({"devices": {"h100": {"hbm_capacity_bytes": 20e9}}})";

TEST_CASE("KV capacity caps how many requests run at once") {
  const config::Config small = catalog(kSmallMemory);
  const auto work = uniform_requests(64, 1000, 1000);
  const SimulationResult r = simulate(small, {group("h100", "llama-3.1-8b")}, work);
  const double capacity = r.groups[0].kv_capacity_tokens;
  CHECK(capacity == doctest::Approx((18e9 - 16.06e9) / 131072).epsilon(0.02));
  CHECK(r.groups[0].mean_batch_sequences <= capacity / 1000.0);

  const SimulationResult roomy = simulate(catalog(), {group("h100", "llama-3.1-8b")}, work);
  CHECK(roomy.groups[0].mean_batch_sequences > 4 * r.groups[0].mean_batch_sequences);
}

TEST_CASE("requests that outgrow the KV cache are preempted and still finish") {
  const auto work = uniform_requests(64, 100, 2000);
  const SimulationResult tight =
      simulate(catalog(kSmallMemory), {group("h100", "llama-3.1-8b")}, work);
  CHECK(tight.groups[0].preemptions > 0);
  CHECK(tight.overall.preempted_requests > 0);
  CHECK(tight.overall.finished == 64);
  CHECK(tight.overall.output_tokens == 64 * 2000);

  const SimulationResult roomy = simulate(catalog(), {group("h100", "llama-3.1-8b")}, work);
  CHECK(roomy.groups[0].preemptions == 0);
}

TEST_CASE("prefix cache hits cut time to first token") {
  std::vector<WorkloadRequest> work = uniform_requests(200, 2048, 16, 0.05);
  for (WorkloadRequest& r : work) {
    r.prefix_group = 0;
    r.prefix_tokens = 1984;
  }
  ReplicaGroupSpec cached = group("h100", "llama-3.1-8b");
  cached.scheduler.prefix_caching = true;
  const SimulationResult with = simulate(catalog(), {cached}, work);
  const SimulationResult without = simulate(catalog(), {group("h100", "llama-3.1-8b")}, work);

  CHECK(with.overall.cached_prompt_tokens >= 199u * 1984u);
  CHECK(without.overall.cached_prompt_tokens == 0);
  CHECK(with.groups[0].prefix_hits == 199);
  CHECK(with.overall.ttft.percentile(0.5) < 0.5 * without.overall.ttft.percentile(0.5));
}

TEST_CASE("speculative decoding with alpha 0.8 and k 4 speeds decoding by the expected factor") {
  const config::Config config = catalog();
  const auto work = uniform_requests(1, 32, 4000);
  ReplicaGroupSpec speculative = group("h100", "llama-3.1-8b");
  speculative.speculative = scheduler::SpeculativeConfig{true, 4, 0.8, 0.05};
  const SimulationResult plain = simulate(config, {group("h100", "llama-3.1-8b")}, work);
  const SimulationResult fast = simulate(config, {speculative}, work);

  // Expected: (1 - 0.8^5) / 0.2 = 3.36 tokens per step, each step costing a verify pass of 5
  // tokens plus 4 draft tokens at 5% of a plain step.
  const StepCostModel cost = *StepCostModel::create(
      EngineShape{*config.find_device("h100"), *config.find_model("llama-3.1-8b"), 1,
                  config::Precision::kBf16, config::Precision::kBf16, 0.9});
  scheduler::StepWork one;
  one.decode_tokens = 1;
  one.decode_context_tokens = 2000;
  one.logit_sequences = 1;
  scheduler::StepWork verify = one;
  verify.decode_tokens = 5;
  const double t_plain = cost.time(one).total_seconds();
  const double t_spec = cost.time(verify).total_seconds() + 4 * 0.05 * t_plain;
  const double expected = 3.36 * t_plain / t_spec;

  const double speedup = plain.overall.tpot.mean_seconds() / fast.overall.tpot.mean_seconds();
  CHECK(expected == doctest::Approx(2.8).epsilon(0.05));
  CHECK(speedup == doctest::Approx(expected).epsilon(0.05));
}

TEST_CASE("latency rises with load") {
  const config::Config config = catalog();
  double previous_e2e = 0.0;
  double previous_ttft = 0.0;
  for (double rate : {1.0, 8.0, 40.0}) {
    CAPTURE(rate);
    const SimulationResult r = simulate(config, {group("h100", "llama-3.1-8b")},
                                        uniform_requests(300, 500, 200, 1.0 / rate));
    const double e2e = r.overall.e2e.percentile(0.5);
    const double ttft = r.overall.ttft.percentile(0.9);
    CHECK(e2e > previous_e2e);
    CHECK(ttft > previous_ttft);
    previous_e2e = e2e;
    previous_ttft = ttft;
  }
}

TEST_CASE("every request is accounted for as finished or rejected with a reason") {
  std::vector<WorkloadRequest> work = uniform_requests(50, 500, 100, 0.01);
  work[10].input_tokens = 140000;  // past Llama 3.1's 131072-token window
  work[20].input_tokens = 130000;  // fits the window, not a 20 GB H100's KV cache
  const SimulationResult r = simulate(catalog(kSmallMemory), {group("h100", "llama-3.1-8b")}, work);
  CHECK(r.requests == 50);
  CHECK(r.overall.finished == 48);
  CHECK(r.overall.rejected == 2);
  CHECK(r.rejections.at("longer than the model's context window") == 1);
  CHECK(r.rejections.at("larger than a replica's KV cache") == 1);
}

TEST_CASE("the same seed gives the same run and another seed a different one") {
  const config::Config config = catalog();
  ReplicaGroupSpec speculative = group("h100", "llama-3.1-8b", 2);
  speculative.speculative = scheduler::SpeculativeConfig{true, 4, 0.7, 0.05};
  const auto work = uniform_requests(40, 300, 300, 0.02);
  const SimulationResult a = simulate(config, {speculative}, work, 7);
  const SimulationResult b = simulate(config, {speculative}, work, 7);
  const SimulationResult c = simulate(config, {speculative}, work, 8);
  CHECK(a.duration_seconds == b.duration_seconds);
  CHECK(a.events == b.events);
  CHECK(a.overall.itl.mean_seconds() == b.overall.itl.mean_seconds());
  CHECK(a.duration_seconds != c.duration_seconds);
}

TEST_CASE("measured throughput and utilisation price tokens through the cost model") {
  const SimulationResult r =
      simulate(catalog(), {group("h100", "llama-3.1-8b")}, uniform_requests(100, 500, 200, 0.05));
  const GroupResult& g = r.groups[0];
  CHECK(g.utilization > 0.0);
  CHECK(g.utilization <= 1.0);
  // C / (T x 3600 x U) x 1e6 equals the run's cost over its served tokens.
  const double served = static_cast<double>(g.metrics.input_tokens + g.metrics.output_tokens);
  const double run_cost = g.hourly_cost_usd * r.duration_seconds / 3600.0;
  CHECK(g.cost.blended_usd_per_mtok == doctest::Approx(run_cost / served * 1e6));
  CHECK(g.cost.output_usd_per_mtok > g.cost.input_usd_per_mtok);
}

}  // namespace
}  // namespace scoville::simulator

namespace scoville::simulator {
namespace {

using testing::catalog;

TEST_CASE("groups on one device type add up in the per-device view") {
  const config::Config config = catalog();
  ReplicaGroupSpec standard = testing::group("h100", "llama-3.1-8b", 2);
  standard.name = "a";
  ReplicaGroupSpec efficient = testing::group("h100", "llama-3.1-8b", 1);
  efficient.name = "b";
  efficient.compute_class = "efficient";
  std::vector<WorkloadRequest> work = testing::uniform_requests(90, 400, 100, 0.02);
  for (std::size_t i = 0; i < work.size(); i += 3) {
    work[i].class_index = testing::class_index(config, "efficient");
  }
  const SimulationResult r = testing::simulate(config, {standard, efficient}, work);
  REQUIRE(r.devices.size() == 1);
  const GroupResult& h100 = r.devices[0];
  CHECK(h100.replicas == 3);
  CHECK(h100.compute_class == "standard,efficient");
  CHECK(h100.metrics.finished == r.groups[0].metrics.finished + r.groups[1].metrics.finished);
  CHECK(h100.hourly_cost_usd ==
        doctest::Approx(r.groups[0].hourly_cost_usd + r.groups[1].hourly_cost_usd));
  CHECK(r.groups[1].metrics.finished == 30);
}

}  // namespace
}  // namespace scoville::simulator

namespace scoville::simulator {
namespace {

TEST_CASE("a trace's clock offset changes neither utilisation nor cost") {
  const config::Config config = testing::catalog();
  std::vector<WorkloadRequest> early = testing::uniform_requests(50, 500, 100, 0.1);
  std::vector<WorkloadRequest> late = early;
  for (WorkloadRequest& r : late) r.arrival_seconds += 100000.0;
  const SimulationResult a =
      testing::simulate(config, {testing::group("h100", "llama-3.1-8b")}, early);
  const SimulationResult b =
      testing::simulate(config, {testing::group("h100", "llama-3.1-8b")}, late);
  CHECK(a.duration_seconds == doctest::Approx(b.duration_seconds));
  CHECK(a.groups[0].utilization == doctest::Approx(b.groups[0].utilization));
  CHECK(a.groups[0].cost.blended_usd_per_mtok ==
        doctest::Approx(b.groups[0].cost.blended_usd_per_mtok));
}

TEST_CASE("speculative decoding near KV capacity finishes under both prefill orders") {
  const config::Config small =
      testing::catalog(R"({"devices": {"h100": {"hbm_capacity_bytes": 20e9}}})");
  for (const char* policy : {"vllm", "vllm-v0"}) {
    CAPTURE(policy);
    ReplicaGroupSpec group = testing::group("h100", "llama-3.1-8b");
    group.scheduler = *scheduler::scheduler_preset(policy);
    group.speculative = scheduler::SpeculativeConfig{true, 4, 0.8, 0.05};
    const SimulationResult r =
        testing::simulate(small, {group}, testing::uniform_requests(1, 14000, 700));
    CHECK(r.overall.finished == 1);
    CHECK(r.groups[0].preemptions == 0);
  }
}

TEST_CASE("prefix lookups count admissions, not retries at the head of the queue") {
  std::vector<WorkloadRequest> work = testing::uniform_requests(40, 2048, 200, 0.0);
  for (WorkloadRequest& r : work) {
    r.prefix_group = 0;
    r.prefix_tokens = 1024;
  }
  ReplicaGroupSpec group = testing::group("h100", "llama-3.1-8b");
  group.scheduler.prefix_caching = true;
  group.scheduler.max_num_seqs = 4;  // most requests wait, and retry admission every step
  const SimulationResult r = testing::simulate(testing::catalog(), {group}, work);
  CHECK(r.groups[0].prefix_lookups == 40);
  CHECK(r.groups[0].prefix_hits == 39);
}

}  // namespace
}  // namespace scoville::simulator
