#pragma once

#include <string>

#include "costmodel/comparison.h"
#include "costmodel/sweep.h"

namespace scoville::cli {

// Self-contained HTML pages (inline CSS and SVG, no scripts or external assets) that can be
// mailed or archived and still open years later.

// The comparison as a table with a bar chart of before and after per component.
std::string render_comparison_report(const costmodel::Comparison& comparison);

// The sweep as an SVG line chart of the headline component over the first axis (one line per
// value of the second axis, if any), followed by the table of points.
std::string render_sweep_report(const costmodel::SweepResult& sweep);

}  // namespace scoville::cli
