#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville serve`: the OpenAI-compatible routing proxy, from a config file or flags.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
