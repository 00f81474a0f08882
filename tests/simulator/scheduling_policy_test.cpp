// Scheduler policies seen from the fleet: class priority, micro-batching, chunked prefill.
#include <doctest/doctest.h>

#include "tests/simulator/sim_test_support.h"

namespace scoville::simulator {
namespace {

using testing::catalog;
using testing::group;
using testing::simulate;
using testing::uniform_requests;

const ClassResult& class_result(const SimulationResult& r, const std::string& name) {
  for (const ClassResult& c : r.classes) {
    if (c.name == name) return c;
  }
  FAIL("no class " << name);
  return r.classes.front();
}

TEST_CASE("low-latency requests wait less than efficient ones on a contended replica") {
  const config::Config config = catalog();
  // Alternate the two classes; both fall back to the standard replica.
  std::vector<WorkloadRequest> work = uniform_requests(400, 2000, 50, 0.01);
  for (std::size_t i = 0; i < work.size(); ++i) {
    work[i].class_index = testing::class_index(config, i % 2 == 0 ? "low_latency" : "efficient");
  }
  ReplicaGroupSpec replica = group("h100", "llama-3.1-8b");
  replica.scheduler.max_num_seqs = 16;
  const SimulationResult r = simulate(config, {replica}, work);
  const double fast = class_result(r, "low_latency").metrics.ttft.percentile(0.5);
  const double slow = class_result(r, "efficient").metrics.ttft.percentile(0.5);
  CHECK(fast < 0.5 * slow);

  replica.scheduler.class_priority = false;
  const SimulationResult fifo = simulate(config, {replica}, work);
  const double fifo_fast = class_result(fifo, "low_latency").metrics.ttft.percentile(0.5);
  const double fifo_slow = class_result(fifo, "efficient").metrics.ttft.percentile(0.5);
  CHECK(fifo_fast == doctest::Approx(fifo_slow).epsilon(0.25));
}

TEST_CASE("a micro-batching window gathers near-simultaneous arrivals into one step") {
  const config::Config config = catalog();
  // Pairs of requests 0.5 ms apart, pairs a second apart: the engine is idle at each pair.
  std::vector<WorkloadRequest> work;
  for (int pair = 0; pair < 20; ++pair) {
    for (int k = 0; k < 2; ++k) {
      WorkloadRequest r = uniform_requests(1, 200, 1)[0];
      r.arrival_seconds = pair * 1.0 + k * 0.0005;
      work.push_back(r);
    }
  }
  ReplicaGroupSpec plain = group("h100", "llama-3.1-8b");
  ReplicaGroupSpec windowed = plain;
  windowed.scheduler = *scheduler::scheduler_preset("microbatch");
  const SimulationResult without = simulate(config, {plain}, work);
  const SimulationResult with = simulate(config, {windowed}, work);
  CHECK(with.groups[0].stats.steps == 20);
  CHECK(without.groups[0].stats.steps == 40);
  // The window makes the first arrival of each pair wait up to 2 ms, and spares the second
  // a whole step of waiting.
  CHECK(with.overall.ttft.percentile(0.0) > without.overall.ttft.percentile(0.0) + 0.0015);
  CHECK(with.overall.ttft.max_seconds() < without.overall.ttft.max_seconds());
}

TEST_CASE("a small chunked-prefill budget keeps decode gaps short while long prompts arrive") {
  const config::Config config = catalog();
  // Long decodes running while long prompts keep arriving.
  std::vector<WorkloadRequest> work = uniform_requests(8, 100, 2000, 0.0);
  for (int i = 0; i < 30; ++i) {
    WorkloadRequest r = uniform_requests(1, 8000, 10)[0];
    r.arrival_seconds = 1.0 + 0.3 * i;
    work.push_back(r);
  }
  ReplicaGroupSpec vllm = group("h100", "llama-3.1-8b");
  ReplicaGroupSpec sarathi = vllm;
  sarathi.scheduler = *scheduler::scheduler_preset("sarathi");
  const SimulationResult big = simulate(config, {vllm}, work);
  const SimulationResult small = simulate(config, {sarathi}, work);
  CHECK(small.overall.itl.percentile(0.99) < 0.5 * big.overall.itl.percentile(0.99));
}

TEST_CASE("round-robin and least-outstanding dispatch both spread load over replicas") {
  const config::Config config = catalog();
  const auto work = uniform_requests(200, 500, 100, 0.01);
  for (const char* dispatcher : {"round_robin", "least_outstanding"}) {
    CAPTURE(dispatcher);
    SimulationSpec spec;
    spec.fleet = {group("h100", "llama-3.1-8b", 4)};
    spec.dispatcher = dispatcher;
    Result<std::unique_ptr<Simulation>> sim = Simulation::create(spec, config);
    REQUIRE(sim.has_value());
    std::vector<WorkloadRequest> requests = work;
    for (WorkloadRequest& r : requests) r.class_index = testing::class_index(config, "standard");
    testing::VectorSource source(requests);
    Result<SimulationResult> r = (*sim)->run(source);
    REQUIRE(r.has_value());
    CHECK(r->overall.finished == 200);
    CHECK(r->groups[0].utilization > 0.0);
  }
}

}  // namespace
}  // namespace scoville::simulator
