#pragma once

#include <optional>
#include <string>

#include "cli/output_format.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_spec.h"

namespace scoville::cli {

// A benchmark's result as text tables (what was run, failures by kind, latency percentiles)
// or as JSON: the report's keys (loadgen/bench_report.h) plus "settings", the run's inputs.
std::string render_bench(const loadgen::BenchSpec& spec, const loadgen::BenchReport& report,
                         OutputFormat format);

}  // namespace scoville::cli
