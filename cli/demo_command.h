#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville demo`: a simulated fleet across the three classes with the router in front.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
