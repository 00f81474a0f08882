#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/result.h"
#include "costmodel/comparison.h"
#include "costmodel/scenario.h"

namespace scoville::costmodel {

// One swept parameter: a scenario path and the values it takes.
struct SweepAxis {
  std::string path;
  std::vector<double> values;
};

// One point of a sweep: the value of each axis, in axis order, and the scenario's outcome.
struct SweepPoint {
  std::vector<double> coordinates;
  Comparison comparison;
};

struct SweepResult {
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;  // the first axis varies slowest
};

// The most points one sweep may evaluate, to keep a typo in a step from running for hours.
inline constexpr std::size_t kMaxSweepPoints = 100000;

// Parses "path=start:stop:step" (stop inclusive, step may be negative when stop < start).
Result<SweepAxis> parse_sweep_axis(std::string_view spec);

// Evaluates the scenario at every point of the grid the axes span (one or two axes).
Result<SweepResult> run_sweep(const ScenarioInput& input, const config::Config& config,
                              const std::vector<SweepAxis>& axes);

}  // namespace scoville::costmodel
