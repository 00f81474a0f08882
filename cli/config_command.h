#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville config check FILE`, `scoville config devices` and `scoville config models`.
void add_config_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
