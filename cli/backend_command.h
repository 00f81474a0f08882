#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville backend`: a simulated OpenAI-compatible backend that streams tokens at the pace
// the inference core predicts for a device and model under its current load.
void add_backend_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
