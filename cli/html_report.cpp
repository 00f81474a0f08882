#include "cli/html_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/number_format.h"
#include "config/bounds.h"

namespace scoville::cli {
namespace {

using costmodel::Comparison;
using costmodel::ComponentChange;
using costmodel::SweepResult;

// Distinct colours for up to ten lines; a sweep with more values per line repeats them.
constexpr std::array<std::string_view, 10> kPalette = {"#1f77b4", "#d95f02", "#1b9e77", "#7570b3",
                                                       "#e7298a", "#66a61e", "#a6761d", "#444444",
                                                       "#e6ab02", "#17becf"};
constexpr std::string_view kBeforeColour = "#a0a8b0";

constexpr double kChartWidth = 720.0;
constexpr double kBarLabelWidth = 250.0;  // room for component labels left of the bars
constexpr double kBarValueWidth = 110.0;  // room for the value printed after the longest bar
constexpr double kBarHeight = 14.0;
constexpr double kLineChartHeight = 400.0;
constexpr double kLegendRowHeight = 20.0;

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; color: #222; max-width: 960px; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.headline { font-size: 1.1em; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
th { border-bottom: 2px solid #999; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; width: 100%; max-width: 720px; height: auto; }
svg text { font-size: 12px; fill: #333; } svg .title { font-size: 13px; }
.axis { stroke: #333; } .grid { stroke: #e6e6e6; } .before { stroke: #666; stroke-dasharray: 6 4; }
)";

std::string escape(std::string_view text) {
  constexpr std::string_view kSpecial = "&<>\"'";
  constexpr std::array<std::string_view, 5> kEntities = {"&amp;", "&lt;", "&gt;", "&quot;",
                                                         "&#39;"};
  std::string out;
  for (const char& c : text) {
    const std::size_t i = kSpecial.find(c);
    out += i == std::string_view::npos ? std::string_view(&c, 1) : kEntities[i];
  }
  return out;
}

// Coordinates carry two decimals at most, which keeps the markup small and repeatable.
std::string svg_number(double value) {
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string title_of(const Comparison& comparison) {
  std::string title = comparison.kind == "customer" ? "Customer spend" : "Fleet cost";
  if (!comparison.description.empty()) title += ": " + comparison.description;
  return title;
}

std::string page(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{2}</body>\n"
      "</html>\n",
      escape(title), kStyle, body);
}

std::string headline_paragraph(const ComponentChange& h) {
  return fmt::format("<p class=\"headline\">{}: {} &rarr; {} {} ({}, {})</p>\n", escape(h.label),
                     format_quantity(h.before, h.unit), format_quantity(h.after, h.unit),
                     escape(h.unit), format_change(h.change(), h.unit),
                     format_percent(h.relative_change()));
}

// Cells from `text_columns` on hold numbers and align right.
std::string table_row(const std::vector<std::string>& cells, std::size_t text_columns,
                      std::string_view tag) {
  std::string row = "<tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    row += fmt::format("<{0}{1}>{2}</{0}>", tag, i < text_columns ? "" : " class=\"num\"",
                       escape(cells[i]));
  }
  return row + "</tr>\n";
}

std::string table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows, std::size_t text_columns) {
  std::string html =
      "<table>\n<thead>\n" + table_row(headers, text_columns, "th") + "</thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : rows) html += table_row(row, text_columns, "td");
  return html + "</tbody>\n</table>\n";
}

std::string components_table(const Comparison& comparison) {
  std::vector<std::vector<std::string>> rows;
  for (const ComponentChange& c : comparison.components) {
    rows.push_back({c.label, c.unit, format_quantity(c.before, c.unit),
                    format_quantity(c.after, c.unit), format_change(c.change(), c.unit),
                    format_percent(c.relative_change())});
  }
  return table({"Component", "Unit", "Before", "After", "Change", "Change %"}, rows, 2);
}

std::string assumptions_list(const Comparison& comparison) {
  if (comparison.assumptions.empty()) {
    return "";
  }
  std::string html = "<h2>Assumptions</h2>\n<ul>\n";
  for (const std::string& assumption : comparison.assumptions) {
    html += "<li>" + escape(assumption) + "</li>\n";
  }
  return html + "</ul>\n";
}

std::string svg_open(double height, std::string_view label) {
  return fmt::format("<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
                     svg_number(kChartWidth), svg_number(height), escape(label));
}

// `attributes` are written as given: the callers pass only fixed markup.
std::string svg_text(double x, double y, std::string_view attributes, std::string_view text) {
  return fmt::format("<text x=\"{}\" y=\"{}\" {}>{}</text>\n", svg_number(x), svg_number(y),
                     attributes, escape(text));
}

std::string svg_line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  return fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{}\"/>\n",
                     svg_number(x1), svg_number(y1), svg_number(x2), svg_number(y2), css_class);
}

std::string svg_rect(double x, double y, double width, double height, std::string_view colour) {
  return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                     svg_number(x), svg_number(y), svg_number(width), svg_number(height), colour);
}

std::string bar(double y, double value, double px_per_unit, std::string_view colour,
                std::string_view unit) {
  const double width = std::max(0.0, value) * px_per_unit;
  return svg_rect(kBarLabelWidth, y, width, kBarHeight, colour) +
         svg_text(kBarLabelWidth + width + 4.0, y + kBarHeight - 3.0, "",
                  format_quantity(value, unit));
}

// Components in other units than the headline's would not share a scale, so they stay out.
std::string bar_chart(const Comparison& comparison) {
  const std::string& unit = comparison.headline_component().unit;
  std::vector<const ComponentChange*> shown;
  double max_value = 0.0;
  for (const ComponentChange& c : comparison.components) {
    if (c.unit != unit) continue;
    shown.push_back(&c);
    max_value = std::max({max_value, c.before, c.after});
  }
  if (max_value <= 0.0) {
    return "";
  }

  const double top = 30.0;
  const double group_height = 2.0 * kBarHeight + 16.0;
  const double px_per_unit = (kChartWidth - kBarLabelWidth - kBarValueWidth) / max_value;
  std::string svg = "<h2>Before and after (" + escape(unit) + ")</h2>\n" +
                    svg_open(top + group_height * static_cast<double>(shown.size()),
                             "Before and after per component, in " + unit);
  svg += svg_rect(kBarLabelWidth, 6.0, 12.0, 12.0, kBeforeColour) +
         svg_text(kBarLabelWidth + 18.0, 16.0, "", "before") +
         svg_rect(kBarLabelWidth + 80.0, 6.0, 12.0, 12.0, kPalette[0]) +
         svg_text(kBarLabelWidth + 98.0, 16.0, "", "after");

  for (std::size_t i = 0; i < shown.size(); ++i) {
    const double y = top + group_height * static_cast<double>(i);
    svg += svg_text(kBarLabelWidth - 8.0, y + kBarHeight + 5.0, "text-anchor=\"end\"",
                    shown[i]->label);
    svg += bar(y, shown[i]->before, px_per_unit, kBeforeColour, unit);
    svg += bar(y + kBarHeight + 2.0, shown[i]->after, px_per_unit, kPalette[0], unit);
  }
  return svg + "</svg>\n";
}

// One axis of the line chart: its extent and the distance between ticks.
struct Scale {
  double low = 0.0;
  double high = 1.0;
  double step = 0.25;
};

// 1, 2 or 5 times a power of ten, cutting `span` into about five intervals.
double nice_step(double span) {
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double factor = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  return factor * magnitude;
}

std::vector<double> ticks_of(const Scale& scale) {
  std::vector<double> ticks;
  // Multiplying rather than adding the step keeps the ticks from drifting.
  const double first = std::ceil(scale.low / scale.step - 1e-9);
  for (double i = first; i * scale.step <= scale.high + scale.step * 1e-9; i += 1.0) {
    ticks.push_back(i * scale.step);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return with_thousands(value, decimals);
}

// A single value still needs a span to draw against.
Scale spread(double low, double high) {
  if (high - low <= 1e-12 * std::max(1.0, std::fabs(high))) {
    const double pad = high != 0.0 ? std::fabs(high) * 0.1 : 1.0;
    low -= pad;
    high += pad;
  }
  return Scale{low, high, nice_step(high - low)};
}

// Zero joins the range only when the values come close to it, so a small change is not
// flattened against a far-away axis; the padded range then widens to whole ticks.
Scale y_scale(const std::vector<double>& values) {
  const auto [low_it, high_it] = std::minmax_element(values.begin(), values.end());
  Scale scale = spread(*low_it, *high_it);
  const double span = scale.high - scale.low;
  if (scale.low > 0.0 && scale.low < span / 2.0) scale.low = 0.0;
  if (scale.high < 0.0 && -scale.high < span / 2.0) scale.high = 0.0;

  const double pad = (scale.high - scale.low) * 0.05;
  scale.low = scale.low >= 0.0 ? std::max(0.0, scale.low - pad) : scale.low - pad;
  scale.high = scale.high <= 0.0 ? std::min(0.0, scale.high + pad) : scale.high + pad;
  scale.step = nice_step(scale.high - scale.low);
  scale.low = std::floor(scale.low / scale.step) * scale.step;
  scale.high = std::ceil(scale.high / scale.step) * scale.step;
  return scale;
}

struct Plot {
  Scale x;
  Scale y;
  double left = 90.0;
  double top = 20.0;
  double width = kChartWidth - 90.0 - 30.0;
  double height = kLineChartHeight - 20.0 - 70.0;

  double bottom() const { return top + height; }
  double px(double value) const { return left + (value - x.low) / (x.high - x.low) * width; }
  double py(double value) const { return bottom() - (value - y.low) / (y.high - y.low) * height; }
};

std::string axes_svg(const Plot& plot, std::string_view x_title, std::string_view y_title) {
  std::string svg;
  for (const double tick : ticks_of(plot.y)) {
    svg += svg_line(plot.left, plot.py(tick), plot.left + plot.width, plot.py(tick), "grid");
    svg += svg_text(plot.left - 8.0, plot.py(tick) + 4.0, "text-anchor=\"end\"",
                    tick_label(tick, plot.y.step));
  }
  for (const double tick : ticks_of(plot.x)) {
    svg += svg_line(plot.px(tick), plot.bottom(), plot.px(tick), plot.bottom() + 5.0, "axis");
    svg += svg_text(plot.px(tick), plot.bottom() + 20.0, "text-anchor=\"middle\"",
                    tick_label(tick, plot.x.step));
  }

  svg += svg_line(plot.left, plot.top, plot.left, plot.bottom(), "axis");
  svg += svg_line(plot.left, plot.bottom(), plot.left + plot.width, plot.bottom(), "axis");
  svg += svg_text(plot.left + plot.width / 2.0, plot.bottom() + 45.0,
                  "class=\"title\" text-anchor=\"middle\"", x_title);
  const std::string middle = svg_number(plot.top + plot.height / 2.0);
  return svg + fmt::format(
                   "<text x=\"18\" y=\"{0}\" transform=\"rotate(-90 18 {0})\" class=\"title\" "
                   "text-anchor=\"middle\">{1}</text>\n",
                   middle, escape(y_title));
}

// One line of the chart, with the hover text of each point.
struct Series {
  std::string name;  // for the legend; empty with a single line
  std::vector<double> x;
  std::vector<double> y;
  std::vector<std::string> hover;
};

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

std::string series_svg(const Plot& plot, const Series& series, std::string_view colour) {
  std::string points;
  std::string markers;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    const std::string x = svg_number(plot.px(series.x[i]));
    const std::string y = svg_number(plot.py(series.y[i]));
    points += (i == 0 ? "" : " ") + x + "," + y;
    markers += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}</title></circle>\n", x, y,
        colour, escape(series.hover[i]));
  }
  return fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                     points, colour) +
         markers;
}

std::string before_line(const Plot& plot, double before) {
  return svg_line(plot.left, plot.py(before), plot.left + plot.width, plot.py(before), "before") +
         svg_text(plot.left + plot.width - 4.0, plot.py(before) - 6.0, "text-anchor=\"end\"",
                  "before");
}

std::string legend_svg(const std::vector<Series>& series, double left, double top) {
  std::string svg;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double y = top + kLegendRowHeight * static_cast<double>(i);
    svg += svg_rect(left, y - 5.0, 16.0, 4.0, kPalette[i % kPalette.size()]);
    svg += svg_text(left + 24.0, y, "", series[i].name);
  }
  return svg;
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

  Plot plot;
  const auto [x_low, x_high] = std::minmax_element(xs.begin(), xs.end());
  plot.x = spread(*x_low, *x_high);
  plot.y = y_scale(ys);
  const double legend_top = kLineChartHeight;
  const double height = one_axis
                            ? kLineChartHeight
                            : legend_top + kLegendRowHeight * static_cast<double>(series.size());

  std::string svg = svg_open(height, headline.label + " over " + sweep.axes[0].path) +
                    axes_svg(plot, sweep.axes[0].path, headline.label + " (" + headline.unit + ")");
  if (one_axis) svg += before_line(plot, headline.before);
  for (std::size_t i = 0; i < series.size(); ++i) {
    svg += series_svg(plot, series[i], kPalette[i % kPalette.size()]);
  }
  if (!one_axis) svg += legend_svg(series, plot.left, legend_top);
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
  return table(headers, rows, 0);
}

}  // namespace

std::string render_comparison_report(const Comparison& comparison) {
  if (comparison.components.empty()) {
    return page(title_of(comparison), "<p>The comparison has no components.</p>\n");
  }

  std::string body = headline_paragraph(comparison.headline_component());
  body += bar_chart(comparison);
  body += "<h2>Components</h2>\n" + components_table(comparison);
  body += assumptions_list(comparison);
  return page(title_of(comparison), body);
}

std::string render_sweep_report(const SweepResult& sweep) {
  if (sweep.axes.empty() || sweep.points.empty() ||
      sweep.points.front().comparison.components.empty()) {
    return page("Sweep", "<p>The sweep has no points.</p>\n");
  }

  const Comparison& first = sweep.points.front().comparison;
  std::string body = line_chart(sweep);
  const ComponentChange& headline = first.headline_component();
  body += "<h2>" + escape(headline.label + " (" + headline.unit + ") at each point") + "</h2>\n";
  body += points_table(sweep);
  body += assumptions_list(first);
  return page(title_of(first), body);
}

}  // namespace scoville::cli
