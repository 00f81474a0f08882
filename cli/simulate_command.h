#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville simulate [FILE]`: forecasts what a fleet does with a workload. Either a
// simulation file, or one-liner flags for a single replica group and a synthetic workload.
void add_simulate_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
