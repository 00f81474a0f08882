#include "tests/simulator/workload_test_support.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <iostream>
#include <system_error>

#include <doctest/doctest.h>

#include "config/issues.h"

namespace scoville::simulator::testing {

std::vector<WorkloadRequest> drain(RequestSource& source, std::size_t limit) {
  std::vector<WorkloadRequest> requests;
  while (requests.size() < limit) {
    std::optional<WorkloadRequest> request = source.next();
    if (!request) {
      break;
    }
    requests.push_back(*request);
  }
  return requests;
}

const std::vector<std::string>& test_classes() {
  static const std::vector<std::string> classes = {"standard", "efficient", "low_latency"};
  return classes;
}

std::vector<WorkloadRequest> generate(const WorkloadSpec& spec, std::uint64_t seed) {
  Result<std::unique_ptr<RequestSource>> source = make_request_source(spec, test_classes(), seed);
  REQUIRE_MESSAGE(source.has_value(), (source ? "" : source.error().message));
  return drain(**source);
}

std::string source_error(const WorkloadSpec& spec, std::uint64_t seed) {
  Result<std::unique_ptr<RequestSource>> source = make_request_source(spec, test_classes(), seed);
  return source ? "" : source.error().message;
}

std::vector<std::string> workload_problems(const std::string& json_text) {
  config::Issues issues;
  parse_workload_spec(nlohmann::json::parse(json_text), "workload", issues);
  std::vector<std::string> lines;
  for (const config::Issue& issue : issues.all()) {
    lines.push_back(issue.to_string());
  }
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& expected) {
  if (std::find(lines.begin(), lines.end(), expected) != lines.end()) {
    return true;
  }
  std::cerr << "expected \"" << expected << "\" among:\n";
  for (const std::string& line : lines) {
    std::cerr << "  " << line << "\n";
  }
  return false;
}

Moments moments_of(const std::vector<double>& values) {
  Moments moments;
  if (values.empty()) {
    return moments;
  }
  double sum = 0.0;
  for (const double value : values) {
    sum += value;
  }
  moments.mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double value : values) {
    squares += (value - moments.mean) * (value - moments.mean);
  }
  moments.variance = squares / static_cast<double>(values.size());
  moments.cv = std::sqrt(moments.variance) / moments.mean;
  return moments;
}

}  // namespace scoville::simulator::testing
