#include "tests/simulator/sim_test_support.h"

#include <doctest/doctest.h>

#include "config/jsonc.h"

namespace scoville::simulator::testing {

std::vector<WorkloadRequest> uniform_requests(int count, int input_tokens, int output_tokens,
                                              double gap_seconds) {
  std::vector<WorkloadRequest> requests;
  for (int i = 0; i < count; ++i) {
    WorkloadRequest r;
    r.arrival_seconds = gap_seconds * i;
    r.input_tokens = input_tokens;
    r.output_tokens = output_tokens;
    r.class_index = -1;  // the "standard" class, resolved by simulate()
    requests.push_back(r);
  }
  return requests;
}

config::Config catalog(const std::string& overrides) {
  Result<nlohmann::json> document = config::parse_jsonc(overrides, "test overrides");
  REQUIRE(document.has_value());
  config::Issues issues;
  config::Config config = config::build_config(*document, issues);
  REQUIRE_MESSAGE(issues.empty(), issues.to_string());
  return config;
}

ReplicaGroupSpec group(const std::string& device, const std::string& model, int replicas,
                       int tensor_parallel) {
  ReplicaGroupSpec spec;
  spec.name = device + "/" + model;
  spec.device = device;
  spec.model = model;
  spec.replicas = replicas;
  spec.tensor_parallel = tensor_parallel;
  return spec;
}

SimulationResult simulate(const config::Config& config, std::vector<ReplicaGroupSpec> fleet,
                          std::vector<WorkloadRequest> requests, std::uint64_t seed) {
  SimulationSpec spec;
  spec.fleet = std::move(fleet);
  spec.seed = seed;
  Result<std::unique_ptr<Simulation>> simulation = Simulation::create(spec, config);
  REQUIRE_MESSAGE(simulation.has_value(), (simulation ? "" : simulation.error().message));
  // Requests name the class by index; tests send the "standard" class.
  const auto& names = (*simulation)->class_names();
  const auto standard = std::find(names.begin(), names.end(), "standard") - names.begin();
  for (WorkloadRequest& r : requests) {
    if (r.class_index < 0) r.class_index = static_cast<std::int32_t>(standard);
  }
  VectorSource source(std::move(requests));
  Result<SimulationResult> result = (*simulation)->run(source);
  REQUIRE_MESSAGE(result.has_value(), (result ? "" : result.error().message));
  return *result;
}

std::int32_t class_index(const config::Config& config, const std::string& name) {
  const std::vector<std::string> ids = config.compute_class_ids();
  const auto it = std::find(ids.begin(), ids.end(), name);
  REQUIRE(it != ids.end());
  return static_cast<std::int32_t>(it - ids.begin());
}

}  // namespace scoville::simulator::testing
