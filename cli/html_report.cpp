#include "cli/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/html_page.h"
#include "cli/number_format.h"
#include "cli/svg_chart.h"
#include "config/bounds.h"

namespace scoville::cli {
namespace {

using costmodel::Comparison;
using costmodel::ComponentChange;
using costmodel::SweepResult;

constexpr std::string_view kBeforeColour = "#a0a8b0";
constexpr double kLineChartHeight = 400.0;

std::string title_of(const Comparison& comparison) {
  std::string title = comparison.kind == "customer" ? "Customer spend" : "Fleet cost";
  if (!comparison.description.empty()) title += ": " + comparison.description;
  return title;
}

std::string headline_paragraph(const ComponentChange& h) {
  return fmt::format("<p class=\"headline\">{}: {} &rarr; {} {} ({}, {})</p>\n",
                     html_escape(h.label), format_quantity(h.before, h.unit),
                     format_quantity(h.after, h.unit), html_escape(h.unit),
                     format_change(h.change(), h.unit), format_percent(h.relative_change()));
}

std::string components_table(const Comparison& comparison) {
  std::vector<std::vector<std::string>> rows;
  for (const ComponentChange& c : comparison.components) {
    rows.push_back({c.label, c.unit, format_quantity(c.before, c.unit),
                    format_quantity(c.after, c.unit), format_change(c.change(), c.unit),
                    format_percent(c.relative_change())});
  }
  return html_table({"Component", "Unit", "Before", "After", "Change", "Change %"}, rows, 2);
}

// Components in other units than the headline's would not share a scale, so they stay out.
std::string bar_chart(const Comparison& comparison) {
  const std::string& unit = comparison.headline_component().unit;
  BarChart chart;
  chart.label = "Before and after per component, in " + unit;
  chart.series = {"before", "after"};
  chart.colours = {std::string(kBeforeColour), std::string(chart_colour(0))};
  double max_value = 0.0;
  for (const ComponentChange& c : comparison.components) {
    if (c.unit != unit) continue;
    chart.groups.push_back({c.label,
                            {c.before, c.after},
                            {format_quantity(c.before, unit), format_quantity(c.after, unit)}});
    max_value = std::max({max_value, c.before, c.after});
  }
  if (max_value <= 0.0) {
    return "";
  }
  return "<h2>Before and after (" + html_escape(unit) + ")</h2>\n" + bar_chart_svg(chart);
}

std::vector<Series> sweep_series(const SweepResult& sweep) {
  const costmodel::SweepAxis& rows = sweep.axes[0];
  const bool two_axes = sweep.axes.size() > 1;
  const std::size_t columns = two_axes ? sweep.axes[1].values.size() : 1;
  std::vector<Series> series(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const std::string name =
        two_axes ? sweep.axes[1].path + " = " + config::format_number(sweep.axes[1].values[c]) : "";
    series[c].name = name;
    for (std::size_t r = 0; r < rows.values.size() && r * columns + c < sweep.points.size(); ++r) {
      const ComponentChange& h = sweep.points[r * columns + c].comparison.headline_component();
      series[c].x.push_back(rows.values[r]);
      series[c].y.push_back(h.after);
      series[c].hover.push_back(fmt::format("{}{} = {}: {} {}", name.empty() ? "" : name + ", ",
                                            rows.path, config::format_number(rows.values[r]),
                                            format_quantity(h.after, h.unit), h.unit));
    }
  }
  return series;
}

std::string before_line(const Plot& plot, double before) {
  return svg_line(plot.left, plot.py(before), plot.left + plot.width, plot.py(before), "before") +
         svg_text(plot.left + plot.width - 4.0, plot.py(before) - 6.0, "text-anchor=\"end\"",
                  "before");
}

std::string line_chart(const SweepResult& sweep) {
  const ComponentChange& headline = sweep.points.front().comparison.headline_component();
  const bool one_axis = sweep.axes.size() == 1;
  const std::vector<double>& xs = sweep.axes[0].values;
  const std::vector<Series> series = sweep_series(sweep);
  std::vector<double> ys;
  for (const Series& s : series) ys.insert(ys.end(), s.y.begin(), s.y.end());
  if (one_axis) ys.push_back(headline.before);
  if (series.empty() || series.front().x.empty() ||
      !std::all_of(ys.begin(), ys.end(), [](double y) { return std::isfinite(y); })) {
    return "<p>No chart: the sweep has no finite values to draw.</p>\n";
  }

  Plot plot = Plot::in_chart(kLineChartHeight);
  const auto [x_low, x_high] = std::minmax_element(xs.begin(), xs.end());
  plot.x = linear_scale(*x_low, *x_high);
  plot.y = padded_scale(ys);
  const double legend_top = kLineChartHeight;
  const double height = one_axis
                            ? kLineChartHeight
                            : legend_top + kLegendRowHeight * static_cast<double>(series.size());

  std::string svg = svg_open(height, headline.label + " over " + sweep.axes[0].path) +
                    axes_svg(plot, sweep.axes[0].path, headline.label + " (" + headline.unit + ")");
  if (one_axis) svg += before_line(plot, headline.before);
  for (std::size_t i = 0; i < series.size(); ++i) {
    svg += series_svg(plot, series[i], chart_colour(i));
  }
  if (!one_axis) {
    std::vector<std::string> names;
    for (const Series& s : series) names.push_back(s.name);
    svg += legend_svg(names, plot.left, legend_top);
  }
  return svg + "</svg>\n";
}

std::string points_table(const SweepResult& sweep) {
  std::vector<std::string> headers;
  for (const costmodel::SweepAxis& axis : sweep.axes) headers.push_back(axis.path);
  headers.insert(headers.end(), {"Before", "After", "Change", "Change %"});

  std::vector<std::vector<std::string>> rows;
  for (const costmodel::SweepPoint& point : sweep.points) {
    const ComponentChange& h = point.comparison.headline_component();
    std::vector<std::string> cells;
    for (const double coordinate : point.coordinates) {
      cells.push_back(config::format_number(coordinate));
    }
    cells.insert(cells.end(),
                 {format_quantity(h.before, h.unit), format_quantity(h.after, h.unit),
                  format_change(h.change(), h.unit), format_percent(h.relative_change())});
    rows.push_back(std::move(cells));
  }
  return html_table(headers, rows, 0);
}

}  // namespace

std::string render_comparison_report(const Comparison& comparison) {
  if (comparison.components.empty()) {
    return html_page(title_of(comparison), "<p>The comparison has no components.</p>\n");
  }

  std::string body = headline_paragraph(comparison.headline_component());
  body += bar_chart(comparison);
  body += "<h2>Components</h2>\n" + components_table(comparison);
  body += html_list_section("Assumptions", comparison.assumptions);
  return html_page(title_of(comparison), body);
}

std::string render_sweep_report(const SweepResult& sweep) {
  if (sweep.axes.empty() || sweep.points.empty() ||
      sweep.points.front().comparison.components.empty()) {
    return html_page("Sweep", "<p>The sweep has no points.</p>\n");
  }

  const Comparison& first = sweep.points.front().comparison;
  std::string body = line_chart(sweep);
  const ComponentChange& headline = first.headline_component();
  body +=
      "<h2>" + html_escape(headline.label + " (" + headline.unit + ") at each point") + "</h2>\n";
  body += points_table(sweep);
  body += html_list_section("Assumptions", first.assumptions);
  return html_page(title_of(first), body);
}

}  // namespace scoville::cli
