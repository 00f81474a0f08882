#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville whatif SCENARIO`: evaluates a customer or fleet what-if scenario, optionally with
// overrides, one or two sweep axes and an HTML report. Sets `exit_code` when it runs.
void add_whatif_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
