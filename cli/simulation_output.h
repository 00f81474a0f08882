#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/output_format.h"
#include "simulator/simulation_result.h"

namespace scoville::cli {

// Wall-clock figures of a run, reported beside the simulated ones.
struct RunTiming {
  double wall_seconds = 0.0;
};

nlohmann::json simulation_to_json(const simulator::SimulationResult& result,
                                  const RunTiming& timing);

// Tables per compute class (latency percentiles, throughput, SLA) and per replica group
// (utilisation, batching, KV, preemptions, cost per million tokens), then the assumptions.
// CSV is long-form: scope, name, metric, value.
std::string render_simulation(const simulator::SimulationResult& result, const RunTiming& timing,
                              OutputFormat format);

}  // namespace scoville::cli
