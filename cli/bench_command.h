#pragma once

#include <CLI/CLI.hpp>

namespace scoville::cli {

// `scoville bench`: a load generator for any OpenAI-compatible server. It sends streamed or
// whole chat or completion requests over keep-alive connections, closed loop or at a Poisson
// rate, and reports failures by kind, throughput and TTFT, inter-token and total latency
// percentiles.
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace scoville::cli
