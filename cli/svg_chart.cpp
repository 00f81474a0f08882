#include "cli/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "cli/html_page.h"
#include "cli/number_format.h"

namespace scoville::cli {
namespace {

constexpr std::array<std::string_view, 10> kPalette = {"#1f77b4", "#d95f02", "#1b9e77", "#7570b3",
                                                       "#e7298a", "#66a61e", "#a6761d", "#444444",
                                                       "#e6ab02", "#17becf"};

constexpr double kBarHeight = 14.0;
constexpr double kBarValueWidth = 110.0;     // room for the value printed after the longest bar
constexpr double kLegendColumnWidth = 80.0;  // between the entries of a bar chart's legend

// 1, 2 or 5 times a power of ten, cutting `span` into about five intervals.
double nice_step(double span) {
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double factor = fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0;
  return factor * magnitude;
}

// Where `value` lies between the ends of `scale`, 0 at low and 1 at high.
double position(const Scale& scale, double value) {
  if (scale.logarithmic) {
    const double clamped = std::max(value, scale.low);
    return std::log10(clamped / scale.low) / std::log10(scale.high / scale.low);
  }
  return (value - scale.low) / (scale.high - scale.low);
}

// Light grid lines at each decade of a logarithmic x axis and short marks at 2 to 9 times it.
std::string decade_grid_svg(const Plot& plot) {
  std::string svg;
  for (const double decade : ticks_of(plot.x)) {
    svg += svg_line(plot.px(decade), plot.top, plot.px(decade), plot.bottom(), "grid");
    for (int multiple = 2; multiple <= 9 && decade * multiple < plot.x.high; ++multiple) {
      const double x = plot.px(decade * multiple);
      svg += svg_line(x, plot.bottom(), x, plot.bottom() + 3.0, "axis");
    }
  }
  return svg;
}

}  // namespace

std::string_view chart_colour(std::size_t index) { return kPalette[index % kPalette.size()]; }

std::string svg_number(double value) {
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string svg_open(double height, std::string_view label) {
  return fmt::format("<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
                     svg_number(kChartWidth), svg_number(height), html_escape(label));
}

std::string svg_text(double x, double y, std::string_view attributes, std::string_view text) {
  return fmt::format("<text x=\"{}\" y=\"{}\" {}>{}</text>\n", svg_number(x), svg_number(y),
                     attributes, html_escape(text));
}

std::string svg_line(double x1, double y1, double x2, double y2, std::string_view css_class,
                     std::string_view stroke) {
  const std::string colour = stroke.empty() ? "" : fmt::format(" stroke=\"{}\"", stroke);
  return fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{}\"{}/>\n",
                     svg_number(x1), svg_number(y1), svg_number(x2), svg_number(y2), css_class,
                     colour);
}

std::string svg_rect(double x, double y, double width, double height, std::string_view colour) {
  return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                     svg_number(x), svg_number(y), svg_number(width), svg_number(height), colour);
}

Scale linear_scale(double low, double high) {
  if (high - low <= 1e-12 * std::max(1.0, std::fabs(high))) {
    const double pad = high != 0.0 ? std::fabs(high) * 0.1 : 1.0;
    low -= pad;
    high += pad;
  }
  return Scale{low, high, nice_step(high - low)};
}

Scale padded_scale(const std::vector<double>& values) {
  const auto [low_it, high_it] = std::minmax_element(values.begin(), values.end());
  Scale scale = linear_scale(*low_it, *high_it);
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

Scale decade_scale(double low, double high) {
  // The tolerance keeps an exact power of ten from opening a decade of its own.
  const double low_exponent = std::floor(std::log10(low) + 1e-9);
  const double high_exponent =
      std::max(low_exponent + 1.0, std::ceil(std::log10(std::max(low, high)) - 1e-9));
  return Scale{std::pow(10.0, low_exponent), std::pow(10.0, high_exponent), 10.0, true};
}

std::vector<double> ticks_of(const Scale& scale) {
  std::vector<double> ticks;
  if (scale.logarithmic) {
    const double last = std::round(std::log10(scale.high));
    for (double e = std::round(std::log10(scale.low)); e <= last; e += 1.0) {
      ticks.push_back(std::pow(10.0, e));
    }
    return ticks;
  }
  // Multiplying rather than adding the step keeps the ticks from drifting.
  const double first = std::ceil(scale.low / scale.step - 1e-9);
  for (double i = first; i * scale.step <= scale.high + scale.step * 1e-9; i += 1.0) {
    ticks.push_back(i * scale.step);
  }
  return ticks;
}

std::string tick_label(double value, const Scale& scale) {
  const double step = scale.logarithmic ? value : scale.step;
  const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return with_thousands(value, decimals);
}

Plot Plot::in_chart(double chart_height) {
  Plot plot;
  plot.height = chart_height - plot.top - 70.0;
  return plot;
}

double Plot::px(double value) const { return left + position(x, value) * width; }

double Plot::py(double value) const { return bottom() - position(y, value) * height; }

std::string axes_svg(const Plot& plot, std::string_view x_title, std::string_view y_title) {
  std::string svg;
  for (const double tick : ticks_of(plot.y)) {
    svg += svg_line(plot.left, plot.py(tick), plot.left + plot.width, plot.py(tick), "grid");
    svg += svg_text(plot.left - 8.0, plot.py(tick) + 4.0, "text-anchor=\"end\"",
                    tick_label(tick, plot.y));
  }
  if (plot.x.logarithmic) svg += decade_grid_svg(plot);
  for (const double tick : ticks_of(plot.x)) {
    svg += svg_line(plot.px(tick), plot.bottom(), plot.px(tick), plot.bottom() + 5.0, "axis");
    svg += svg_text(plot.px(tick), plot.bottom() + 20.0, "text-anchor=\"middle\"",
                    tick_label(tick, plot.x));
  }

  svg += svg_line(plot.left, plot.top, plot.left, plot.bottom(), "axis");
  svg += svg_line(plot.left, plot.bottom(), plot.left + plot.width, plot.bottom(), "axis");
  svg += svg_text(plot.left + plot.width / 2.0, plot.bottom() + 45.0,
                  "class=\"title\" text-anchor=\"middle\"", x_title);
  const std::string middle = svg_number(plot.top + plot.height / 2.0);
  return svg + fmt::format(
                   "<text x=\"18\" y=\"{0}\" transform=\"rotate(-90 18 {0})\" class=\"title\" "
                   "text-anchor=\"middle\">{1}</text>\n",
                   middle, html_escape(y_title));
}

std::string series_svg(const Plot& plot, const Series& series, std::string_view colour) {
  std::string points;
  std::string markers;
  for (std::size_t i = 0; i < series.x.size(); ++i) {
    const std::string x = svg_number(plot.px(series.x[i]));
    const std::string y = svg_number(plot.py(series.y[i]));
    points += (i == 0 ? "" : " ") + x + "," + y;
    if (i >= series.hover.size()) continue;
    markers += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}</title></circle>\n", x, y,
        colour, html_escape(series.hover[i]));
  }
  const std::string line = fmt::format(
      "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"", points, colour);
  if (series.title.empty()) {
    return line + "/>\n" + markers;
  }
  return line + "><title>" + html_escape(series.title) + "</title></polyline>\n" + markers;
}

std::string legend_svg(const std::vector<std::string>& names, double left, double top) {
  std::string svg;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double y = top + kLegendRowHeight * static_cast<double>(i);
    svg += svg_rect(left, y - 5.0, 16.0, 4.0, chart_colour(i));
    svg += svg_text(left + 24.0, y, "", names[i]);
  }
  return svg;
}

std::string bar_chart_svg(const BarChart& chart) {
  const std::size_t bars = chart.series.size();
  double full_scale = chart.full_scale;
  for (const BarGroup& group : chart.groups) {
    for (const double value : group.values) {
      if (std::isfinite(value)) full_scale = std::max(full_scale, value);
    }
  }
  // All-zero values draw empty bars rather than dividing by zero; values that are not finite
  // draw none.
  const double px_per_unit =
      full_scale > 0.0 ? (kChartWidth - chart.label_width - kBarValueWidth) / full_scale : 0.0;

  const double top = bars > 1 ? 30.0 : 8.0;
  const double group_height = static_cast<double>(bars) * kBarHeight + 16.0;
  const double bars_height = static_cast<double>(bars) * (kBarHeight + 2.0) - 2.0;
  std::string svg =
      svg_open(top + group_height * static_cast<double>(chart.groups.size()), chart.label);
  for (std::size_t i = 0; i < bars && bars > 1; ++i) {
    const double x = chart.label_width + kLegendColumnWidth * static_cast<double>(i);
    svg += svg_rect(x, 6.0, 12.0, 12.0, chart.colours[i]) +
           svg_text(x + 18.0, 16.0, "", chart.series[i]);
  }

  for (std::size_t g = 0; g < chart.groups.size(); ++g) {
    const BarGroup& group = chart.groups[g];
    const double y = top + group_height * static_cast<double>(g);
    svg += svg_text(chart.label_width - 8.0, y + bars_height / 2.0 + 4.0, "text-anchor=\"end\"",
                    group.label);
    for (std::size_t i = 0; i < bars && i < group.values.size(); ++i) {
      const double bar_y = y + (kBarHeight + 2.0) * static_cast<double>(i);
      const double value = std::isfinite(group.values[i]) ? group.values[i] : 0.0;
      const double width = std::max(0.0, value) * px_per_unit;
      svg += svg_rect(chart.label_width, bar_y, width, kBarHeight, chart.colours[i]) +
             svg_text(chart.label_width + width + 4.0, bar_y + kBarHeight - 3.0, "",
                      i < group.value_texts.size() ? group.value_texts[i] : "");
    }
  }
  return svg + "</svg>\n";
}

}  // namespace scoville::cli
