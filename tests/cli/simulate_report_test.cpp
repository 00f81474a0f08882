// `scoville simulate --report FILE`: a self-contained HTML page of the run (latency CDFs,
// throughput, cost and SLA charts, the tables behind them) next to the usual output.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/cli/html_checks.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

const std::string kMixedFleetExample = example_path("simulation_mixed_fleet.jsonc");

constexpr std::string_view kLatencyMetrics[] = {"TTFT", "TPOT", "ITL", "E2E"};

// The markup a chart of one latency metric opens with.
std::string cdf_chart_label(std::string_view metric) {
  return "aria-label=\"" + std::string(metric) + " distribution by compute class\"";
}

// Checks the page a run wrote: self-contained, drawable, with a CDF chart per latency metric
// and every compute class and replica group of the run's JSON output named in its tables.
void check_report(const std::string& html, const nlohmann::json& run) {
  check_self_contained(html);
  const std::vector<std::string> bad = non_numeric_coordinates(html);
  INFO("first non-numeric coordinate: ", bad.empty() ? std::string() : bad.front());
  CHECK(bad.empty());

  CHECK(contains(html, "<title>Fleet simulation</title>"));
  for (const std::string_view metric : kLatencyMetrics) {
    INFO("metric ", metric);
    CHECK(count_occurrences(html, cdf_chart_label(metric)) == 1);
  }
  CHECK(contains(html, "SLA attainment by compute class"));
  CHECK(contains(html, "Cost per million tokens by replica group"));

  REQUIRE_FALSE(run.at("classes").empty());
  for (const nlohmann::json& c : run.at("classes")) {
    const std::string name = c.at("name").get<std::string>();
    INFO("class ", name);
    CHECK(contains(html, "<td>" + name + "</td>"));
  }
  REQUIRE_FALSE(run.at("groups").empty());
  for (const nlohmann::json& g : run.at("groups")) {
    const std::string name = g.at("name").get<std::string>();
    INFO("group ", name);
    CHECK(contains(html, "<td>" + name + "</td>"));
  }
}

TEST_CASE("simulate --report writes a self-contained page for a one-liner run") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "r.html";

  const nlohmann::json run = require_json_output(
      run_scoville({"simulate", "--offline", "--requests", "200", "--input-tokens", "500",
                    "--output-tokens", "100", "--format", "json", "--report", report.string()}));

  REQUIRE(std::filesystem::is_regular_file(report));
  check_report(read_text_file(report), run);
}

TEST_CASE("simulate --report writes a self-contained page for the shipped mixed fleet") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "mixed.html";

  const nlohmann::json run = require_json_output(run_scoville(
      {"simulate", kMixedFleetExample, "--format", "json", "--report", report.string()}));

  REQUIRE(run.at("classes").size() == 3);
  REQUIRE(run.at("groups").size() == 3);
  check_report(read_text_file(report), run);
}

TEST_CASE("simulate --report comes in addition to the table on stdout") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "r.html";

  const CommandResult result =
      run_scoville({"simulate", "--offline", "--requests", "200", "--input-tokens", "500",
                    "--output-tokens", "100", "--report", report.string()});

  require_success(result);
  CHECK(contains(result.stdout_text, "By compute class"));
  CHECK(std::filesystem::is_regular_file(report));
}

TEST_CASE("simulate --report writes the same page for the same seed") {
  TempDir dir;
  const std::filesystem::path first = dir.path() / "first.html";
  const std::filesystem::path second = dir.path() / "second.html";

  require_success(run_scoville({"simulate", kMixedFleetExample, "--report", first.string()}));
  require_success(run_scoville({"simulate", kMixedFleetExample, "--report", second.string()}));

  const std::string html = read_text_file(first);
  CHECK_FALSE(html.empty());
  CHECK(html == read_text_file(second));
}

TEST_CASE("simulate --report draws a single request without NaN and says what was not observed") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "one.html";

  // One output token: no time per output token and no gap between tokens to observe.
  require_success(run_scoville({"simulate", "--offline", "--requests", "1", "--input-tokens", "500",
                                "--output-tokens", "1", "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(non_numeric_coordinates(html).empty());
  CHECK(count_occurrences(html, cdf_chart_label("TTFT")) == 1);
  CHECK(count_occurrences(html, cdf_chart_label("E2E")) == 1);
  CHECK(contains(html, "No TPOT observations"));
  CHECK(contains(html, "No ITL observations"));
}

TEST_CASE("simulate --report lists rejections by reason when nothing finished") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "rejected.html";

  // Prompts longer than any context window: every request is rejected, the run lasts no time.
  require_success(run_scoville({"simulate", "--offline", "--requests", "3", "--input-tokens",
                                "500000", "--output-tokens", "10", "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(non_numeric_coordinates(html).empty());
  CHECK(contains(html, "<h2>Rejected requests</h2>"));
  CHECK(contains(html, "context window"));
  for (const std::string_view metric : kLatencyMetrics) {
    CHECK(contains(html, "No " + std::string(metric) + " observations"));
  }
}

TEST_CASE("simulate --report shows no cost per token for a replica group that served nothing") {
  TempDir dir;
  // All traffic is standard, so the efficient group idles for the whole run.
  const std::filesystem::path config = dir.write_file("idle.jsonc", R"({
    "fleet": [
      { "name": "busy", "device": "h100", "model": "llama-3.1-8b", "replicas": 1,
        "compute_class": "standard" },
      { "name": "idle", "device": "h100", "model": "llama-3.1-8b", "replicas": 1,
        "compute_class": "efficient" } ],
    "workload": { "mode": "offline", "requests": 20, "input_tokens": 300, "output_tokens": 20,
                  "class_mix": { "standard": 1.0 } },
    "seed": 7
  })");
  const std::filesystem::path report = dir.path() / "idle.html";

  require_success(run_scoville({"simulate", config.string(), "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(non_numeric_coordinates(html).empty());
  CHECK(count_occurrences(html, ">no tokens</text>") == 3);
  // Both groups run on H100s, so they are also shown together by device type.
  CHECK(contains(html, "<h2>By device type</h2>"));
}

TEST_CASE("simulate --report escapes markup in replica group names") {
  TempDir dir;
  const std::filesystem::path config = dir.write_file("fleet.jsonc", R"({
    "fleet": [ { "name": "<b>h100</b> & co", "device": "h100", "model": "llama-3.1-8b",
                 "replicas": 1, "compute_class": "standard" } ],
    "workload": { "mode": "offline", "requests": 20, "input_tokens": 300, "output_tokens": 20 },
    "seed": 7
  })");
  const std::filesystem::path report = dir.path() / "escaped.html";

  require_success(run_scoville({"simulate", config.string(), "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(contains(html, "&lt;b&gt;h100&lt;/b&gt; &amp; co"));
  CHECK_FALSE(contains(html, "<b>h100"));
}

TEST_CASE("simulate --report to a path that cannot be written fails naming it, printing nothing") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "missing-folder" / "r.html";

  const CommandResult result =
      run_scoville({"simulate", "--offline", "--requests", "200", "--input-tokens", "500",
                    "--output-tokens", "100", "--report", report.string()});

  check_input_error(result, "scoville simulate: ");
  CHECK(contains(result.stderr_text, "cannot write report " + report.string()));
  CHECK_FALSE(std::filesystem::exists(report));
}

}  // namespace
}  // namespace scoville::cli_test
