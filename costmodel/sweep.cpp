#include "costmodel/sweep.h"

#include <charconv>
#include <cmath>

#include "config/bounds.h"

namespace scoville::costmodel {
namespace {

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

Result<SweepAxis> parse_sweep_axis(std::string_view spec) {
  auto fail = [&](const std::string& why) {
    return make_error("--sweep " + std::string(spec) + ": " + why);
  };
  const std::size_t equals = spec.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return fail(
        "expected PATH=START:STOP:STEP, as in --sweep after.groups[0].utilization=0.5:0.9:0.1");
  }
  SweepAxis axis;
  axis.path = std::string(spec.substr(0, equals));

  const std::string_view range = spec.substr(equals + 1);
  const std::size_t first = range.find(':');
  const std::size_t second = first == std::string_view::npos ? first : range.find(':', first + 1);
  if (second == std::string_view::npos || range.find(':', second + 1) != std::string_view::npos) {
    return fail("expected START:STOP:STEP after the =");
  }
  double start = 0.0;
  double stop = 0.0;
  double step = 0.0;
  if (!parse_double(range.substr(0, first), start) ||
      !parse_double(range.substr(first + 1, second - first - 1), stop) ||
      !parse_double(range.substr(second + 1), step)) {
    return fail("START, STOP and STEP must be numbers");
  }
  if (step == 0.0) {
    return fail("STEP must not be 0");
  }
  if ((stop - start) / step < 0.0) {
    return fail("STEP " + config::format_number(step) + " never reaches STOP " +
                config::format_number(stop) + " from START " + config::format_number(start));
  }
  const double steps = std::floor((stop - start) / step + 1e-9);
  if (steps + 1.0 > static_cast<double>(kMaxSweepPoints)) {
    return fail("would evaluate " + config::format_number(steps + 1.0) + " points; at most " +
                std::to_string(kMaxSweepPoints) + " are allowed");
  }
  // Computing each value from the start, rather than adding the step repeatedly, keeps 0.1
  // steps from drifting (0.30000000000000004).
  const auto count = static_cast<std::size_t>(steps) + 1;
  for (std::size_t i = 0; i < count; ++i) {
    const double value = start + step * static_cast<double>(i);
    axis.values.push_back(std::round(value * 1e12) / 1e12);
  }
  return axis;
}

Result<SweepResult> run_sweep(const ScenarioInput& input, const config::Config& config,
                              const std::vector<SweepAxis>& axes) {
  if (axes.empty() || axes.size() > 2) {
    return make_error("--sweep: give one or two axes");
  }
  if (axes.size() == 2 && axes[0].path == axes[1].path) {
    return make_error("--sweep: both axes sweep " + axes[0].path);
  }
  std::size_t total = 1;
  for (const SweepAxis& axis : axes) total *= axis.values.size();
  if (total > kMaxSweepPoints) {
    return make_error("--sweep: the grid has " + std::to_string(total) + " points; at most " +
                      std::to_string(kMaxSweepPoints) + " are allowed");
  }

  SweepResult result;
  result.axes = axes;
  const std::vector<double> none = {0.0};
  const std::vector<double>& inner = axes.size() == 2 ? axes[1].values : none;
  for (double outer_value : axes[0].values) {
    for (double inner_value : inner) {
      ScenarioInput point = input;
      std::vector<double> coordinates = {outer_value};
      std::string where = axes[0].path + "=" + config::format_number(outer_value);
      Result<void> set = apply_override(point, axes[0].path, outer_value);
      if (set && axes.size() == 2) {
        coordinates.push_back(inner_value);
        where += ", " + axes[1].path + "=" + config::format_number(inner_value);
        set = apply_override(point, axes[1].path, inner_value);
      }
      if (!set) {
        return make_error("--sweep " + where + ": " + set.error().message);
      }
      Result<Comparison> comparison = evaluate_scenario(point, config);
      if (!comparison) {
        return make_error("--sweep at " + where + ": " + comparison.error().message);
      }
      result.points.push_back(SweepPoint{std::move(coordinates), std::move(*comparison)});
    }
  }
  return result;
}

}  // namespace scoville::costmodel
