#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville cost --device ID`: the device's hourly cost term by term and, given a throughput,
// its cost per million input, output and blended tokens.
void add_cost_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
