#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville prices --config FILE`: the price book with list and net prices, the cost to serve
// where the book knows it, the gross margin that leaves, and the volume discounts.
void add_prices_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
