#pragma once

#include <string>

#include "simulator/simulation_result.h"

namespace scoville::cli {

// A self-contained HTML page (inline CSS and SVG, no scripts or external assets) of a
// simulation: summary, latency CDFs (TTFT, TPOT, ITL, E2E) per compute class, throughput and
// cost per million tokens by replica group, SLA attainment by class, the tables behind them
// and the assumptions the forecast rests on.
std::string render_simulation_report(const simulator::SimulationResult& result);

}  // namespace scoville::cli
