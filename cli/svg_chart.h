#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::cli {

// Inline SVG charts for the HTML reports: primitives, axis scales with round ticks, line charts
// on a linear or logarithmic x axis, and horizontal bar charts. Coordinates are user units of a
// chart kChartWidth wide, which the page's style sheet scales to fit. Text passed in is escaped;
// `attributes` and colours are written as given, so callers pass only fixed markup.

inline constexpr double kChartWidth = 720.0;
inline constexpr double kBarLabelWidth = 250.0;  // room for group labels left of the bars
inline constexpr double kLegendRowHeight = 20.0;

// Distinct colours for ten series; the eleventh repeats the first.
std::string_view chart_colour(std::size_t index);

// A coordinate with two decimals at most, which keeps the markup small and repeatable.
std::string svg_number(double value);

// The opening tag of a chart `height` units tall, labelled for screen readers; close it with
// "</svg>\n".
std::string svg_open(double height, std::string_view label);
std::string svg_text(double x, double y, std::string_view attributes, std::string_view text);
// A line styled by `css_class`, in `stroke` when that is not empty.
std::string svg_line(double x1, double y1, double x2, double y2, std::string_view css_class,
                     std::string_view stroke = "");
std::string svg_rect(double x, double y, double width, double height, std::string_view colour);

// One axis: its extent and the distance between ticks. A logarithmic axis runs between powers
// of ten (both positive) and has a tick at each.
struct Scale {
  double low = 0.0;
  double high = 1.0;
  double step = 0.25;
  bool logarithmic = false;
};

// From `low` to `high` with ticks at 1, 2 or 5 times a power of ten; a single value is padded by
// 10% on each side (by 1 around zero) so that it still has a span to draw against.
Scale linear_scale(double low, double high);

// The range of `values` (not empty, all finite) padded by 5% and widened to whole ticks. Zero
// joins the range only when the values come close to it, so a small change is not flattened
// against a far-away axis.
Scale padded_scale(const std::vector<double>& values);

// The whole decades around `low` to `high` (both positive), at least one decade wide.
Scale decade_scale(double low, double high);

std::vector<double> ticks_of(const Scale& scale);
std::string tick_label(double value, const Scale& scale);

// The plotting area of a line chart, the axes drawn around it and the mapping of data into it.
struct Plot {
  Scale x;
  Scale y;
  double left = 90.0;
  double top = 20.0;
  double width = kChartWidth - 90.0 - 30.0;
  double height = 310.0;

  // The plot inside a chart `chart_height` tall, leaving room below for the x axis title.
  static Plot in_chart(double chart_height);

  double bottom() const { return top + height; }
  double px(double value) const;
  double py(double value) const;
};

// Grid lines and tick labels of both axes, the axis lines and their titles.
std::string axes_svg(const Plot& plot, std::string_view x_title, std::string_view y_title);

// One line of a chart.
struct Series {
  std::string name;  // for the legend
  std::vector<double> x;
  std::vector<double> y;
  std::vector<std::string> hover;  // a marker with this hover text on each of the first points
  std::string title;               // hover text of the whole line, if any
};

std::string series_svg(const Plot& plot, const Series& series, std::string_view colour);

// A legend row per name, in chart_colour() order, starting at (left, top).
std::string legend_svg(const std::vector<std::string>& names, double left, double top);

// One row of a bar chart: a bar per series.
struct BarGroup {
  std::string label;
  std::vector<double> values;
  std::vector<std::string> value_texts;  // printed after each bar
};

// Horizontal bars, grouped by row, with a legend of the series above them when there are
// several.
struct BarChart {
  std::string label;                 // for screen readers
  std::vector<std::string> series;   // legend names
  std::vector<std::string> colours;  // one per series
  std::vector<BarGroup> groups;
  double full_scale = 0.0;  // the value of a full-width bar; 0 for the largest value
  double label_width = kBarLabelWidth;
};

std::string bar_chart_svg(const BarChart& chart);

}  // namespace scoville::cli
