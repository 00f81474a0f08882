#include "cli/simulation_report.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/html_page.h"
#include "cli/number_format.h"
#include "cli/svg_chart.h"

namespace scoville::cli {
namespace {

using simulator::ClassResult;
using simulator::GroupResult;
using simulator::LatencyHistogram;
using simulator::RequestMetrics;
using simulator::SimulationResult;

constexpr double kMsPerSecond = 1e3;
constexpr double kCdfChartHeight = 330.0;
constexpr std::size_t kCdfSamples = 60;
// A log axis needs a positive start; the histogram resolves nothing below a microsecond.
constexpr double kMinLatencyMs = 1e-3;
constexpr double kSlaLabelWidth = 330.0;  // class names carry their objectives
// Characters of 12px text that fit in a bar chart's label column; longer names are shortened
// there (the tables below give them whole).
constexpr std::size_t kBarLabelChars = 36;
constexpr std::size_t kSlaLabelChars = 48;
constexpr double kQuantiles[] = {0.50, 0.90, 0.95, 0.99};

constexpr std::string_view kExtraStyle = R"(.slo { stroke-width: 1.5; stroke-dasharray: 5 4; }
.wide { overflow-x: auto; margin-bottom: 1em; } .wide table { font-size: 0.9em; }
.wide td { white-space: nowrap; }
.note { color: #555; }
)";

// One latency metric as the report charts and tabulates it.
struct LatencyMetric {
  std::string_view name;
  std::string_view description;
  LatencyHistogram RequestMetrics::*histogram;
  double ClassResult::*slo_seconds;  // nullptr: the metric has no objective
};

constexpr LatencyMetric kMetrics[] = {
    {"TTFT", "time to first token", &RequestMetrics::ttft, &ClassResult::ttft_slo_seconds},
    {"TPOT", "time per output token", &RequestMetrics::tpot, &ClassResult::tpot_slo_seconds},
    {"ITL", "inter-token latency, per token", &RequestMetrics::itl, nullptr},
    {"E2E", "end-to-end latency", &RequestMetrics::e2e, nullptr},
};

std::string count_text(std::uint64_t count) {
  return with_thousands(static_cast<double>(count), 0);
}

// One decimal as the text output prints them, three below a millisecond so that a short gap
// does not read as zero.
std::string ms_text(double seconds) {
  const double ms = seconds * kMsPerSecond;
  return with_thousands(ms, ms > 0.0 && ms < 1.0 ? 3 : 1);
}

// A statistic of `h`, or "n/a" when it holds nothing to take one from.
std::string observed_ms_text(const LatencyHistogram& h, double seconds) {
  return h.count() > 0 ? ms_text(seconds) : "n/a";
}

// Whole milliseconds lose their ".0": objectives are round numbers.
std::string round_ms_text(double seconds) {
  std::string text = ms_text(seconds);
  return text.ends_with(".0") ? text.substr(0, text.size() - 2) : text;
}

// `text` cut to `max_chars` bytes with an ellipsis, never inside a UTF-8 sequence.
std::string shortened(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) {
    return std::string(text);
  }
  std::size_t end = max_chars - 1;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "\u2026";
}

double sla_attainment(const RequestMetrics& m) { return share(m.sla_met, m.finished + m.rejected); }

bool served_tokens(const GroupResult& g) {
  return g.metrics.input_tokens + g.metrics.output_tokens > 0;
}

std::string summary(const SimulationResult& r) {
  const RequestMetrics& m = r.overall;
  double hourly_cost_usd = 0.0;
  for (const GroupResult& g : r.groups) hourly_cost_usd += g.hourly_cost_usd;
  return fmt::format(
      "<p class=\"headline\">{} request{}: {} finished, {} rejected, over {} s of simulated time "
      "({} events).</p>\n<p>The fleet delivered {} output tokens/s; {} of requests met their "
      "class's objectives; its replica groups cost {} USD/h at the measured utilisation.</p>\n",
      count_text(r.requests), r.requests == 1 ? "" : "s", count_text(m.finished),
      count_text(m.rejected), with_thousands(r.duration_seconds, r.duration_seconds < 1.0 ? 3 : 1),
      count_text(r.events), with_thousands(per_second(m.output_tokens, r.duration_seconds), 0),
      format_share(sla_attainment(m)), with_thousands(hourly_cost_usd, 2));
}

double slo_seconds_of(const ClassResult& c, const LatencyMetric& metric) {
  return metric.slo_seconds == nullptr ? 0.0 : c.*metric.slo_seconds;
}

// The empirical CDF at log-spaced latencies from the fastest to the slowest observation,
// rising from zero at the fastest.
Series cdf_series(const LatencyHistogram& h) {
  const double low_ms = std::max(kMinLatencyMs, h.percentile(0.0) * kMsPerSecond);
  const double high_ms = std::max(low_ms, h.max_seconds() * kMsPerSecond);
  Series series;
  series.x.push_back(low_ms);
  series.y.push_back(0.0);
  for (std::size_t i = 0; i < kCdfSamples; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(kCdfSamples - 1);
    const double ms = low_ms * std::pow(high_ms / low_ms, t);
    series.x.push_back(ms);
    series.y.push_back(h.fraction_at_or_below(ms / kMsPerSecond));
  }
  return series;
}

std::string cdf_legend_entry(const ClassResult& c, const LatencyMetric& metric) {
  const LatencyHistogram& h = c.metrics.*metric.histogram;
  if (h.count() == 0) {
    return c.name + ": no observations";
  }
  std::string entry = fmt::format("{}: p50 {} ms, p99 {} ms", c.name, ms_text(h.percentile(0.5)),
                                  ms_text(h.percentile(0.99)));
  const double slo = slo_seconds_of(c, metric);
  return slo > 0.0 ? entry + ", objective " + round_ms_text(slo) + " ms (dashed)" : entry;
}

// One line per compute class, on a log axis because latencies span orders of magnitude.
std::string cdf_chart(const SimulationResult& r, const LatencyMetric& metric) {
  const std::string heading =
      fmt::format("<h3>{} ({})</h3>\n", html_escape(metric.name), html_escape(metric.description));
  std::vector<double> extent_ms;
  for (const ClassResult& c : r.classes) {
    const LatencyHistogram& h = c.metrics.*metric.histogram;
    if (h.count() == 0) continue;
    extent_ms.push_back(h.percentile(0.0) * kMsPerSecond);
    extent_ms.push_back(h.max_seconds() * kMsPerSecond);
    const double slo = slo_seconds_of(c, metric);
    if (slo > 0.0) extent_ms.push_back(slo * kMsPerSecond);
  }
  if (extent_ms.empty()) {
    return heading + "<p class=\"note\">No " + html_escape(metric.name) +
           " observations in this run.</p>\n";
  }

  Plot plot = Plot::in_chart(kCdfChartHeight);
  const auto [low, high] = std::minmax_element(extent_ms.begin(), extent_ms.end());
  plot.x = decade_scale(std::max(kMinLatencyMs, *low), std::max(kMinLatencyMs, *high));
  plot.y = Scale{0.0, 1.0, 0.2};
  const double height = kCdfChartHeight + kLegendRowHeight * static_cast<double>(r.classes.size());
  std::string svg =
      svg_open(height, std::string(metric.name) + " distribution by compute class") +
      axes_svg(plot, std::string(metric.name) + " (ms, log scale)", "share at or below");

  std::vector<std::string> legend;
  for (std::size_t i = 0; i < r.classes.size(); ++i) {
    const ClassResult& c = r.classes[i];
    const LatencyHistogram& h = c.metrics.*metric.histogram;
    legend.push_back(cdf_legend_entry(c, metric));
    if (h.count() == 0) continue;
    Series series = cdf_series(h);
    series.title = legend.back();
    svg += series_svg(plot, series, chart_colour(i));
    const double slo = slo_seconds_of(c, metric);
    if (slo > 0.0) {
      const double x = plot.px(std::max(kMinLatencyMs, slo * kMsPerSecond));
      svg += svg_line(x, plot.top, x, plot.bottom(), "slo", chart_colour(i));
    }
  }
  return heading + svg + legend_svg(legend, plot.left, kCdfChartHeight) + "</svg>\n";
}

std::string throughput_chart(const SimulationResult& r) {
  BarChart chart;
  chart.label = "Output tokens per second by replica group";
  chart.series = {"output tokens/s"};
  chart.colours = {std::string(chart_colour(0))};
  for (const GroupResult& g : r.groups) {
    const double rate = per_second(g.metrics.output_tokens, r.duration_seconds);
    chart.groups.push_back(
        {shortened(g.name, kBarLabelChars), {rate}, {with_thousands(rate, 0) + " tok/s"}});
  }
  return "<h2>Output tokens per second by replica group</h2>\n" + bar_chart_svg(chart);
}

std::string cost_chart(const SimulationResult& r) {
  BarChart chart;
  chart.label = "Cost per million tokens by replica group, in USD";
  chart.series = {"blended", "input", "output"};
  chart.colours = {std::string(chart_colour(0)), std::string(chart_colour(1)),
                   std::string(chart_colour(2))};
  for (const GroupResult& g : r.groups) {
    const std::vector<double> values = {g.cost.blended_usd_per_mtok, g.cost.input_usd_per_mtok,
                                        g.cost.output_usd_per_mtok};
    std::vector<std::string> texts;
    for (const double value : values) {
      texts.push_back(served_tokens(g) ? with_thousands(value, 4) : "no tokens");
    }
    chart.groups.push_back({shortened(g.name, kBarLabelChars), values, texts});
  }
  return "<h2>Cost per million tokens by replica group (USD)</h2>\n" + bar_chart_svg(chart);
}

std::string sla_chart(const SimulationResult& r) {
  BarChart chart;
  chart.label = "Share of requests that met both objectives, by compute class";
  chart.series = {"SLA met"};
  chart.colours = {std::string(chart_colour(2))};
  chart.full_scale = 1.0;
  chart.label_width = kSlaLabelWidth;
  for (const ClassResult& c : r.classes) {
    const std::uint64_t requests = c.metrics.finished + c.metrics.rejected;
    const double attained = sla_attainment(c.metrics);
    const std::string objectives =
        fmt::format(" (TTFT \u2264 {} ms, TPOT \u2264 {} ms)", round_ms_text(c.ttft_slo_seconds),
                    round_ms_text(c.tpot_slo_seconds));
    const std::size_t name_chars =
        kSlaLabelChars > objectives.size() + 8 ? kSlaLabelChars - objectives.size() : 8;
    chart.groups.push_back({shortened(c.name, name_chars) + objectives,
                            {attained},
                            {requests > 0 ? format_share(attained) : "no requests"}});
  }
  return "<h2>SLA attainment by compute class</h2>\n<p class=\"note\">Requests that finished "
         "within both objectives, over finished and rejected requests.</p>\n" +
         bar_chart_svg(chart);
}

std::string wide_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       std::size_t text_columns) {
  return "<div class=\"wide\">\n" + html_table(headers, rows, text_columns) + "</div>\n";
}

std::string class_tables(const SimulationResult& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<std::string>> latency_rows;
  for (const ClassResult& c : r.classes) {
    const RequestMetrics& m = c.metrics;
    rows.push_back({c.name, count_text(m.finished), count_text(m.rejected),
                    with_thousands(per_second(m.output_tokens, r.duration_seconds), 0),
                    format_share(sla_attainment(m)), ms_text(c.ttft_slo_seconds),
                    ms_text(c.tpot_slo_seconds)});
    for (const LatencyMetric& metric : kMetrics) {
      const LatencyHistogram& h = m.*metric.histogram;
      std::vector<std::string> cells = {c.name, std::string(metric.name)};
      for (const double q : kQuantiles) cells.push_back(observed_ms_text(h, h.percentile(q)));
      cells.push_back(observed_ms_text(h, h.mean_seconds()));
      cells.push_back(observed_ms_text(h, h.max_seconds()));
      latency_rows.push_back(std::move(cells));
    }
  }
  return "<h2>By compute class</h2>\n" +
         wide_table({"Class", "Finished", "Rejected", "Output tok/s", "SLA met", "TTFT SLO ms",
                     "TPOT SLO ms"},
                    rows, 1) +
         "<h2>Latency by compute class (ms)</h2>\n" +
         wide_table({"Class", "Metric", "p50", "p90", "p95", "p99", "Mean", "Max"}, latency_rows,
                    2);
}

// What each replica group runs.
std::string fleet_table(const std::vector<GroupResult>& groups) {
  std::vector<std::vector<std::string>> rows;
  for (const GroupResult& g : groups) {
    rows.push_back({g.name, g.device, g.model, g.precision, g.compute_class,
                    fmt::format("{} x TP{}", g.replicas, g.tensor_parallel),
                    with_thousands(g.kv_capacity_tokens, 0)});
  }
  return wide_table(
      {"Group", "Device", "Model", "Precision", "Class", "Replicas", "KV tokens per replica"}, rows,
      5);
}

// Load and cost of replica groups, or of the groups aggregated by device type.
std::string load_and_cost_tables(std::string_view first_column,
                                 const std::vector<GroupResult>& rows, double duration_seconds) {
  std::vector<std::vector<std::string>> load;
  std::vector<std::vector<std::string>> cost;
  for (const GroupResult& g : rows) {
    load.push_back({g.name, format_share(g.utilization), with_thousands(g.mean_batch_sequences, 1),
                    format_share(g.token_budget_occupancy), format_share(g.mean_kv_utilization),
                    with_thousands(static_cast<double>(g.preemptions), 0),
                    format_share(share(static_cast<std::uint64_t>(g.prefix_hits),
                                       static_cast<std::uint64_t>(g.prefix_lookups)))});
    // A group that served nothing has no cost per token, which 0 would misstate.
    const auto per_token = [&](double value, int decimals) {
      return served_tokens(g) ? with_thousands(value, decimals) : "n/a";
    };
    cost.push_back(
        {g.name, with_thousands(g.hourly_cost_usd, 2), per_token(g.tokens_per_second_busy, 0),
         with_thousands(per_second(g.metrics.output_tokens, duration_seconds), 0),
         per_token(g.cost.input_usd_per_mtok, 4), per_token(g.cost.output_usd_per_mtok, 4),
         per_token(g.cost.blended_usd_per_mtok, 4)});
  }
  const std::string name(first_column);
  return "<h3>Load</h3>\n" +
         wide_table({name, "Utilisation", "Batch", "Token budget used", "KV util", "Preemptions",
                     "Prefix hit rate"},
                    load, 1) +
         "<h3>Cost</h3>\n<p class=\"note\">C is the hourly cost at the utilisation measured, "
         "T the tokens served per busy second; the cost per million tokens comes from the cost "
         "model with both as measured.</p>\n" +
         wide_table({name, "C USD/h", "T tok/s", "Output tok/s", "USD/Mtok in", "USD/Mtok out",
                     "USD/Mtok"},
                    cost, 1);
}

std::string rejections_table(const SimulationResult& r) {
  if (r.rejections.empty()) {
    return "";
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [reason, count] : r.rejections) rows.push_back({reason, count_text(count)});
  return "<h2>Rejected requests</h2>\n" + html_table({"Reason", "Requests"}, rows, 1);
}

}  // namespace

std::string render_simulation_report(const SimulationResult& result) {
  std::string body = summary(result);

  body += "<h2>Latency distributions by compute class</h2>\n";
  if (result.classes.empty()) {
    body += "<p class=\"note\">The run has no compute classes.</p>\n";
  } else {
    for (const LatencyMetric& metric : kMetrics) body += cdf_chart(result, metric);
    body += sla_chart(result);
  }
  if (result.groups.empty()) {
    body += "<p class=\"note\">The run has no replica groups.</p>\n";
  } else {
    body += throughput_chart(result) + cost_chart(result);
  }

  body += class_tables(result);
  body += "<h2>By replica group</h2>\n" + fleet_table(result.groups) +
          load_and_cost_tables("Group", result.groups, result.duration_seconds);
  if (result.devices.size() < result.groups.size()) {
    body += "<h2>By device type</h2>\n" +
            load_and_cost_tables("Device", result.devices, result.duration_seconds);
  }
  body += rejections_table(result);
  body += html_list_section("Assumptions this forecast rests on", result.assumptions);
  return html_page("Fleet simulation", body, kExtraStyle);
}

}  // namespace scoville::cli
