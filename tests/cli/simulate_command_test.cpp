// `scoville simulate`: one-liners, simulation files, traces, determinism and bad input.
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

const std::vector<std::string> kOneLiner = {
    "simulate",    "--device", "h200",           "--model", "llama-3.1-70b",
    "--precision", "fp8",      "--tp",           "1",       "--offline",
    "--requests",  "2000",     "--input-tokens", "1000",    "--output-tokens",
    "1000"};

TEST_CASE("the issue's one-liner simulates an offline H200 run and prints JSON") {
  const nlohmann::json out =
      require_json_output(run_scoville(with(kOneLiner, {"--format", "json"})));
  CHECK(out["requests"] == 2000);
  CHECK(out["overall"]["finished"] == 2000);
  CHECK(out["overall"]["output_tokens"] == 2000 * 1000);
  REQUIRE(out["groups"].size() == 1);
  const nlohmann::json& group = out["groups"][0];
  CHECK(group["device"] == "h200");
  CHECK(group["precision"] == "fp8");
  CHECK(group["utilization"].get<double>() > 0.9);
  CHECK(group["cost_usd_per_mtok"].get<double>() > 0.0);
  for (const char* metric : {"ttft_seconds", "tpot_seconds", "itl_seconds", "e2e_seconds"}) {
    CAPTURE(metric);
    const nlohmann::json& m = out["overall"][metric];
    CHECK(m["p50"].get<double>() <= m["p90"].get<double>());
    CHECK(m["p90"].get<double>() <= m["p95"].get<double>());
    CHECK(m["p95"].get<double>() <= m["p99"].get<double>());
  }
  bool assumed = false;
  for (const auto& line : out["assumptions"]) {
    assumed = assumed || line.get<std::string>().find("(assumed)") != std::string::npos;
  }
  CHECK(assumed);
}

TEST_CASE("the same seed reproduces a run exactly and another seed changes it") {
  const std::vector<std::string> online = {"simulate",
                                           "--rate",
                                           "20",
                                           "--requests",
                                           "300",
                                           "--input-tokens",
                                           "lognormal:800:0.7",
                                           "--output-tokens",
                                           "uniform:50:300",
                                           "--format",
                                           "json",
                                           "--seed"};
  nlohmann::json a = require_json_output(run_scoville(with(online, {"5"})));
  nlohmann::json b = require_json_output(run_scoville(with(online, {"5"})));
  nlohmann::json c = require_json_output(run_scoville(with(online, {"6"})));
  for (nlohmann::json* run : {&a, &b, &c}) run->erase("wall_seconds");
  CHECK(a == b);
  CHECK(a["duration_seconds"] != c["duration_seconds"]);
}

TEST_CASE("the table output lists percentiles per class and group and the assumptions") {
  const CommandResult result = run_scoville(kOneLiner);
  require_success(result);
  CHECK(contains(result.stdout_text, "p99 ms"));
  CHECK(contains(result.stdout_text, "By replica group"));
  CHECK(contains(result.stdout_text, "Assumptions this forecast rests on"));
}

TEST_CASE("csv output is long-form scope, name, metric, value") {
  const CommandResult result = run_scoville(with(kOneLiner, {"--format", "csv"}));
  require_success(result);
  const auto records = parse_csv(result.stdout_text);
  REQUIRE(records.has_value());
  REQUIRE(records->size() > 20);
  CHECK((*records)[0] == std::vector<std::string>{"scope", "name", "metric", "value"});
}

TEST_CASE("the shipped mixed-fleet simulation serves all three classes") {
  const nlohmann::json out = require_json_output(
      run_scoville({"simulate", example_path("simulation_mixed_fleet.jsonc"), "--format", "json"}));
  std::vector<std::string> classes;
  for (const auto& c : out["classes"]) classes.push_back(c["name"]);
  CHECK(classes == std::vector<std::string>{"efficient", "low_latency", "standard"});
  CHECK(out["groups"].size() == 3);
  CHECK(out["overall"]["rejected"] == 0);
}

TEST_CASE("a CSV trace is replayed request by request") {
  TempDir dir;
  dir.write_file("trace.csv",
                 "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                 "0.0,100,20\n0.5,200,30\n1.0,300,40\n1.5,400,50\n");
  const auto sim =
      dir.write_file("sim.jsonc", R"({"fleet": [{"device": "h100", "model": "llama-3.1-8b"}],
                       "workload": {"trace": "trace.csv"}})");
  const nlohmann::json out =
      require_json_output(run_scoville({"simulate", sim.string(), "--format", "json"}));
  CHECK(out["overall"]["finished"] == 4);
  CHECK(out["overall"]["input_tokens"] == 1000);
  CHECK(out["overall"]["output_tokens"] == 140);
}

TEST_CASE("a trace with a negative length is rejected naming the file and line") {
  TempDir dir;
  dir.write_file("trace.csv",
                 "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,100,20\n0.5,-5,30\n");
  const auto sim =
      dir.write_file("sim.jsonc", R"({"fleet": [{"device": "h100", "model": "llama-3.1-8b"}],
                       "workload": {"trace": "trace.csv"}})");
  const CommandResult result = run_scoville({"simulate", sim.string()});
  check_input_error(result, "scoville simulate: ");
  CHECK(contains(result.stderr_text, "trace.csv:3"));
  CHECK(contains(result.stderr_text, "num_prefill_tokens"));
}

TEST_CASE("a fleet that cannot hold the model's weights is rejected with the sizes") {
  const CommandResult result =
      run_scoville({"simulate", "--model", "llama-3.1-70b", "--offline", "--requests", "10"});
  check_input_error(result, "scoville simulate: ");
  CHECK(contains(result.stderr_text, "needs 141.1 GB for its weights"));
}

TEST_CASE("one-liner mistakes name the flag") {
  const CommandResult device = run_scoville({"simulate", "--device", "h10", "--rate", "1"});
  check_input_error(device, "scoville simulate: ");
  CHECK(contains(device.stderr_text, "--device: unknown device \"h10\" (did you mean \"h100\"?)"));

  const CommandResult rate = run_scoville({"simulate", "--rate", "0"});
  check_input_error(rate, "scoville simulate: ");
  CHECK(contains(rate.stderr_text, "--rate: must be > 0, got 0"));

  const CommandResult neither = run_scoville({"simulate"});
  check_input_error(neither, "scoville simulate: ");
  CHECK(contains(neither.stderr_text, "--offline"));

  const CommandResult length = run_scoville({"simulate", "--offline", "--input-tokens", "-3"});
  check_input_error(length, "scoville simulate: --input-tokens: ");
}

TEST_CASE("a simulation file's problems are all reported with their paths") {
  TempDir dir;
  const auto sim = dir.write_file("sim.jsonc", R"({
    "fleet": [{"device": "h100", "model": "llama-3.1-8b", "replica": 2}],
    "workload": {"arrival": {"process": "poisson", "rate_per_second": 0}, "requests": 10}})");
  const CommandResult result = run_scoville({"simulate", sim.string()});
  check_input_error(result, "scoville simulate: " + sim.string() + ": ");
  CHECK(contains(result.stderr_text, "fleet[0].replica: unknown key (did you mean \"replicas\"?)"));
  CHECK(contains(result.stderr_text, "workload.arrival.rate_per_second: must be > 0, got 0"));
}

TEST_CASE("fleet flags cannot be mixed with a simulation file") {
  const CommandResult result =
      run_scoville({"simulate", example_path("simulation_mixed_fleet.jsonc"), "--device", "b200"});
  check_input_error(result, "scoville simulate: --device ");
}

}  // namespace
}  // namespace scoville::cli_test
