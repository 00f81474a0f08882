#include "cli/simulation_output.h"

#include <fmt/format.h>

#include "cli/number_format.h"
#include "cli/text_table.h"

namespace scoville::cli {
namespace {

using simulator::GroupResult;
using simulator::LatencyHistogram;
using simulator::RequestMetrics;
using simulator::SimulationResult;

constexpr double kQuantiles[] = {0.50, 0.90, 0.95, 0.99};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p95", "p99"};

nlohmann::json latency_json(const LatencyHistogram& h) {
  nlohmann::json out = {{"count", h.count()}, {"mean", h.mean_seconds()}, {"max", h.max_seconds()}};
  for (std::size_t i = 0; i < std::size(kQuantiles); ++i) {
    out[kQuantileNames[i]] = h.percentile(kQuantiles[i]);
  }
  return out;
}

nlohmann::json metrics_json(const RequestMetrics& m, double duration) {
  return {{"finished", m.finished},
          {"rejected", m.rejected},
          {"input_tokens", m.input_tokens},
          {"output_tokens", m.output_tokens},
          {"input_tokens_per_second", per_second(m.input_tokens, duration)},
          {"output_tokens_per_second", per_second(m.output_tokens, duration)},
          {"requests_per_second", per_second(m.finished, duration)},
          {"sla_attainment", share(m.sla_met, m.finished + m.rejected)},
          {"goodput_requests_per_second", per_second(m.sla_met, duration)},
          {"goodput_output_tokens_per_second", per_second(m.sla_output_tokens, duration)},
          {"cached_prompt_tokens", m.cached_prompt_tokens},
          {"preempted_requests", m.preempted_requests},
          {"ttft_seconds", latency_json(m.ttft)},
          {"tpot_seconds", latency_json(m.tpot)},
          {"itl_seconds", latency_json(m.itl)},
          {"e2e_seconds", latency_json(m.e2e)}};
}

nlohmann::json group_json(const GroupResult& g, double duration) {
  return {{"name", g.name},
          {"device", g.device},
          {"model", g.model},
          {"compute_class", g.compute_class},
          {"precision", g.precision},
          {"replicas", g.replicas},
          {"tensor_parallel", g.tensor_parallel},
          {"kv_capacity_tokens", g.kv_capacity_tokens},
          {"utilization", g.utilization},
          {"mean_batch_sequences", g.mean_batch_sequences},
          {"token_budget_occupancy", g.token_budget_occupancy},
          {"sequence_occupancy", g.sequence_occupancy},
          {"mean_kv_utilization", g.mean_kv_utilization},
          {"steps", g.stats.steps},
          {"compute_bound_step_share", share(g.stats.compute_bound_steps, g.stats.steps)},
          {"preemptions", g.preemptions},
          {"prefix_hit_rate", share(static_cast<std::uint64_t>(g.prefix_hits),
                                    static_cast<std::uint64_t>(g.prefix_lookups))},
          {"hourly_cost_usd", g.hourly_cost_usd},
          {"tokens_per_second_busy", g.tokens_per_second_busy},
          {"cost_usd_per_mtok", g.cost.blended_usd_per_mtok},
          {"input_cost_usd_per_mtok", g.cost.input_usd_per_mtok},
          {"output_cost_usd_per_mtok", g.cost.output_usd_per_mtok},
          {"metrics", metrics_json(g.metrics, duration)}};
}

std::string ms(double seconds) { return with_thousands(seconds * 1e3, 1); }

void add_latency_rows(TextTable& table, const std::string& name, const RequestMetrics& m) {
  const std::pair<const char*, const LatencyHistogram*> rows[] = {
      {"TTFT", &m.ttft}, {"TPOT", &m.tpot}, {"ITL", &m.itl}, {"E2E", &m.e2e}};
  for (const auto& [metric, histogram] : rows) {
    std::vector<std::string> cells = {name, metric};
    for (double q : kQuantiles) cells.push_back(ms(histogram->percentile(q)));
    cells.push_back(ms(histogram->mean_seconds()));
    table.add_row(std::move(cells));
  }
}

// Utilisation, batching, KV and cost of replica groups (or of device types).
std::string group_table(const std::string& first_column, const std::vector<GroupResult>& rows) {
  TextTable table({first_column, "replicas", "util", "batch", "budget used", "KV util", "preempt",
                   "prefix hits", "C USD/h", "T tok/s", "USD/Mtok in", "USD/Mtok out", "USD/Mtok"});
  for (const GroupResult& g : rows) {
    table.add_row({g.name, fmt::format("{} x TP{}", g.replicas, g.tensor_parallel),
                   format_share(g.utilization), with_thousands(g.mean_batch_sequences, 1),
                   format_share(g.token_budget_occupancy), format_share(g.mean_kv_utilization),
                   with_thousands(static_cast<double>(g.preemptions), 0),
                   format_share(share(static_cast<std::uint64_t>(g.prefix_hits),
                                      static_cast<std::uint64_t>(g.prefix_lookups))),
                   with_thousands(g.hourly_cost_usd, 2),
                   with_thousands(g.tokens_per_second_busy, 0),
                   with_thousands(g.cost.input_usd_per_mtok, 4),
                   with_thousands(g.cost.output_usd_per_mtok, 4),
                   with_thousands(g.cost.blended_usd_per_mtok, 4)});
  }
  return table.to_text();
}

std::string render_text(const SimulationResult& r, const RunTiming& timing) {
  const double d = r.duration_seconds;
  std::string out = fmt::format(
      "Simulated {} requests ({} finished, {} rejected) over {} s of simulated time; "
      "{} events in {:.2f} s of wall time ({} simulated requests/s)\n",
      with_thousands(static_cast<double>(r.requests), 0),
      with_thousands(static_cast<double>(r.overall.finished), 0),
      with_thousands(static_cast<double>(r.overall.rejected), 0), with_thousands(d, 1),
      with_thousands(static_cast<double>(r.events), 0), timing.wall_seconds,
      with_thousands(
          timing.wall_seconds > 0 ? static_cast<double>(r.requests) / timing.wall_seconds : 0.0,
          0));

  TextTable classes({"class", "finished", "rejected", "req/s", "in tok/s", "out tok/s", "SLA met",
                     "goodput req/s", "TTFT SLO ms", "TPOT SLO ms"});
  for (const auto& c : r.classes) {
    const RequestMetrics& m = c.metrics;
    classes.add_row({c.name, with_thousands(static_cast<double>(m.finished), 0),
                     with_thousands(static_cast<double>(m.rejected), 0),
                     with_thousands(per_second(m.finished, d), 2),
                     with_thousands(per_second(m.input_tokens, d), 0),
                     with_thousands(per_second(m.output_tokens, d), 0),
                     format_share(share(m.sla_met, m.finished + m.rejected)),
                     with_thousands(per_second(m.sla_met, d), 2), ms(c.ttft_slo_seconds),
                     ms(c.tpot_slo_seconds)});
  }
  out += "\nBy compute class\n" + classes.to_text();

  TextTable latency({"class", "metric", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "mean ms"});
  for (const auto& c : r.classes) add_latency_rows(latency, c.name, c.metrics);
  out += "\nLatency by compute class\n" + latency.to_text();

  out += "\nBy replica group (T and U measured; cost through the cost model)\n" +
         group_table("replica group", r.groups);
  if (r.devices.size() < r.groups.size()) {
    out += "\nBy device type\n" + group_table("device", r.devices);
  }

  TextTable group_latency(
      {"replica group", "metric", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "mean ms"});
  for (const GroupResult& g : r.groups) add_latency_rows(group_latency, g.name, g.metrics);
  out += "\nLatency by replica group\n" + group_latency.to_text();

  if (!r.rejections.empty()) {
    out += "\nRejected requests\n";
    for (const auto& [reason, count] : r.rejections) {
      out += fmt::format("  {}: {}\n", reason, count);
    }
  }
  out += "\nAssumptions this forecast rests on:\n";
  for (const std::string& assumption : r.assumptions) out += "  - " + assumption + "\n";
  return out;
}

void add_csv_metrics(TextTable& table, const std::string& scope, const std::string& name,
                     const nlohmann::json& metrics) {
  for (const auto& [key, value] : metrics.items()) {
    if (value.is_object()) {
      // Latency objects hold numbers; a nested metrics object is written on its own.
      for (const auto& [stat, number] : value.items()) {
        if (!number.is_number()) continue;
        table.add_row({scope, name, key + "." + stat, exact_number(number.get<double>())});
      }
    } else if (value.is_number()) {
      table.add_row({scope, name, key, exact_number(value.get<double>())});
    }
  }
}

}  // namespace

nlohmann::json simulation_to_json(const SimulationResult& r, const RunTiming& timing) {
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : r.classes) {
    nlohmann::json entry = metrics_json(c.metrics, r.duration_seconds);
    entry["name"] = c.name;
    entry["ttft_slo_seconds"] = c.ttft_slo_seconds;
    entry["tpot_slo_seconds"] = c.tpot_slo_seconds;
    classes.push_back(entry);
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const GroupResult& g : r.groups) groups.push_back(group_json(g, r.duration_seconds));
  nlohmann::json devices = nlohmann::json::array();
  for (const GroupResult& g : r.devices) devices.push_back(group_json(g, r.duration_seconds));
  return {{"duration_seconds", r.duration_seconds},
          {"requests", r.requests},
          {"events", r.events},
          {"wall_seconds", timing.wall_seconds},
          {"overall", metrics_json(r.overall, r.duration_seconds)},
          {"classes", classes},
          {"groups", groups},
          {"devices", devices},
          {"rejections", r.rejections},
          {"assumptions", r.assumptions}};
}

std::string render_simulation(const SimulationResult& result, const RunTiming& timing,
                              OutputFormat format) {
  if (format == OutputFormat::kJson) {
    return to_json_text(simulation_to_json(result, timing));
  }
  if (format == OutputFormat::kTable) {
    return render_text(result, timing);
  }
  TextTable table({"scope", "name", "metric", "value"});
  const nlohmann::json json = simulation_to_json(result, timing);
  add_csv_metrics(table, "overall", "all", json["overall"]);
  for (const auto& c : json["classes"]) add_csv_metrics(table, "class", c["name"], c);
  for (const char* scope : {"groups", "devices"}) {
    const std::string name = std::string(scope) == "groups" ? "group" : "device";
    for (const auto& g : json[scope]) {
      add_csv_metrics(table, name, g["name"], g);
      add_csv_metrics(table, name, g["name"], g["metrics"]);
    }
  }
  return table.to_csv();
}

}  // namespace scoville::cli
