#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/output_format.h"
#include "costmodel/comparison.h"
#include "costmodel/sweep.h"

namespace scoville::cli {

nlohmann::json comparison_to_json(const costmodel::Comparison& comparison);
nlohmann::json sweep_to_json(const costmodel::SweepResult& sweep);

// Before, after, absolute and relative change of every component, with the assumptions the
// result rests on.
std::string render_comparison(const costmodel::Comparison& comparison, OutputFormat format);

// One row per point for one axis; for two axes the table pivots the headline over the grid,
// while JSON and CSV keep every component of every point.
std::string render_sweep(const costmodel::SweepResult& sweep, OutputFormat format);

}  // namespace scoville::cli
