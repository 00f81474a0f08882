#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/workload_request.h"
#include "simulator/workload_spec.h"
#include "tests/support/temp_dir.h"

namespace scoville::simulator::testing {

using test_support::TempDir;

// Every request of `source`, at most `limit` of them.
std::vector<WorkloadRequest> drain(RequestSource& source, std::size_t limit = 10'000'000);

// The compute classes tests run with: standard (0), efficient (1), low_latency (2).
const std::vector<std::string>& test_classes();

// Makes a source of `spec` and drains it; fails the test when the source cannot be made.
std::vector<WorkloadRequest> generate(const WorkloadSpec& spec, std::uint64_t seed = 7);

// The message of make_request_source's error for `spec`, or "" when it succeeds.
std::string source_error(const WorkloadSpec& spec, std::uint64_t seed = 7);

// Parses a "workload" object from JSON text; returns each problem as "path: message".
std::vector<std::string> workload_problems(const std::string& json_text);

// Whether `lines` holds `expected` exactly; on a miss, prints the lines for the failure report.
bool has_line(const std::vector<std::string>& lines, const std::string& expected);

// The mean and the coefficient of variation (stddev / mean) of `values`.
struct Moments {
  double mean = 0.0;
  double variance = 0.0;
  double cv = 0.0;
};
Moments moments_of(const std::vector<double>& values);

}  // namespace scoville::simulator::testing
