#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/result.h"
#include "simulator/simulation_result.h"

namespace scoville::cli {

// Appends a simulation run to the SQLite database at `path` (created when missing): the run
// (its time, seed and the simulation document), per-class and per-group results, and latency
// percentiles, in tables other tools can query. Returns the new run's id. The run is written
// in one transaction: on an error nothing of it is left in the file. The schema, and how its
// version is checked, is described in simulation_store.cpp.
Result<std::int64_t> store_simulation(const std::string& path, const nlohmann::json& document,
                                      std::uint64_t seed,
                                      const simulator::SimulationResult& result);

// As above, with the run's creation time given instead of read from the system clock.
Result<std::int64_t> store_simulation(const std::string& path, const nlohmann::json& document,
                                      std::uint64_t seed, const simulator::SimulationResult& result,
                                      std::chrono::system_clock::time_point created_at);

}  // namespace scoville::cli
