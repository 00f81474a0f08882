// `scoville config check`, `config devices` and `config models`: validation that lists every
// problem with its JSON path, and catalogs that mark which figures are assumed.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

const std::string kExampleConfig = example_path("config.jsonc");

// Three independent problems: a bound, a misspelt top-level key and a dangling reference.
constexpr const char* kConfigWithProblems = R"({
  "devices": {
    "h100": { "hbm_bytes_per_second": 0 }
  },
  "backend": [],
  "backends": [
    { "name": "a", "url": "http://127.0.0.1:8001", "model": "llama-3.1-70b", "device": "h10",
      "compute_class": "standard" }
  ]
})";

// Device fields that `config devices` shows in its table (and so can mark with a "*").
const std::set<std::string> kTableFields = {"hbm_capacity_bytes",
                                            "hbm_bytes_per_second",
                                            "tdp_watts",
                                            "interconnect_bytes_per_second",
                                            "dense_flops_per_second.bf16",
                                            "dense_flops_per_second.fp8",
                                            "dense_flops_per_second.int8",
                                            "dense_flops_per_second.fp4"};

TEST_CASE("config check passes the example config and says OK") {
  const CommandResult result = run_scoville({"config", "check", kExampleConfig});

  require_success(result);
  CHECK(result.stdout_text == kExampleConfig + ": OK\n");
}

TEST_CASE("config check --format json reports the example config as valid with no problems") {
  const nlohmann::json out =
      require_json_output(run_scoville({"config", "check", kExampleConfig, "--format", "json"}));

  CHECK(out.at("valid") == true);
  CHECK(out.at("problems").is_array());
  CHECK(out.at("problems").empty());
}

TEST_CASE("config check lists every problem of a file, each with its JSON path") {
  TempDir dir;
  const std::filesystem::path config = dir.write_file("config.jsonc", kConfigWithProblems);

  const CommandResult result = run_scoville({"config", "check", config.string()});

  check_input_error(result, "scoville config check: " + config.string() + ": ");
  CHECK(contains(result.stderr_text, "3 problems\n"));
  CHECK(contains(result.stderr_text, "devices.h100.hbm_bytes_per_second: must be > 0"));
  CHECK(contains(result.stderr_text, "backend: unknown key (did you mean \"backends\"?)"));
  CHECK(contains(result.stderr_text,
                 "backends[0].device: unknown device \"h10\" (did you mean \"h100\"?)"));
}

TEST_CASE("config check --format json lists every problem with its path and exits non-zero") {
  TempDir dir;
  const std::filesystem::path config = dir.write_file("config.jsonc", kConfigWithProblems);

  const CommandResult result =
      run_scoville({"config", "check", config.string(), "--format", "json"});

  INFO(describe(result));
  CHECK(result.exited_with(kExitInputError));
  const nlohmann::json out =
      nlohmann::json::parse(result.stdout_text, nullptr, /*allow_exceptions=*/false);
  REQUIRE_FALSE(out.is_discarded());
  CHECK(out.at("valid") == false);
  const nlohmann::json& problems = out.at("problems");
  REQUIRE(problems.is_array());
  std::set<std::string> paths;
  for (const nlohmann::json& problem : problems) {
    CHECK(problem.at("message").is_string());
    paths.insert(problem.at("path").get<std::string>());
  }
  CHECK(problems.size() == 3);
  CHECK(paths == std::set<std::string>{"devices.h100.hbm_bytes_per_second", "backend",
                                       "backends[0].device"});
}

TEST_CASE("config check reports a missing file by name") {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.jsonc").string();

  const CommandResult result = run_scoville({"config", "check", missing});

  check_input_error(result, "scoville config check: cannot read " + missing + ": ");
  CHECK(contains(result.stderr_text, "cannot read " + missing));
}

TEST_CASE("config check reports malformed JSON with its line") {
  TempDir dir;
  const std::filesystem::path config = dir.write_file("config.jsonc", "{\n  \"devices\": {,\n}\n");

  const CommandResult result = run_scoville({"config", "check", config.string()});

  check_input_error(result, "scoville config check: " + config.string() + ": ");
  CHECK(contains(result.stderr_text, "malformed JSON at line 2"));
}

TEST_CASE("config devices marks the Jalapeno figures as assumed with a star") {
  const CommandResult result = run_scoville({"config", "devices"});
  require_success(result);

  const std::vector<std::string> rows = table_rows(result.stdout_text);
  const std::optional<std::string> jalapeno = row_starting_with(rows, "jalapeno");
  REQUIRE(jalapeno.has_value());
  CHECK(count_occurrences(*jalapeno, "*") >= 5);
  // A device with published figures is not starred.
  const std::optional<std::string> b200 = row_starting_with(rows, "b200");
  REQUIRE(b200.has_value());
  CHECK_FALSE(contains(*b200, "*"));
  CHECK(contains(result.stdout_text, "* assumed"));
}

TEST_CASE("config devices --format json lists jalapeno with the fields that are assumed") {
  const nlohmann::json out =
      require_json_output(run_scoville({"config", "devices", "--format", "json"}));

  REQUIRE(out.contains("jalapeno"));
  const nlohmann::json& assumed = out.at("jalapeno").at("assumed");
  REQUIRE(assumed.is_array());
  CHECK_FALSE(assumed.empty());
  CHECK(std::find(assumed.begin(), assumed.end(), "hbm_bytes_per_second") != assumed.end());
}

TEST_CASE("config devices stars a table row exactly when the JSON marks a shown field assumed") {
  const CommandResult table = run_scoville({"config", "devices"});
  require_success(table);
  const nlohmann::json devices =
      require_json_output(run_scoville({"config", "devices", "--format", "json"}));
  const std::vector<std::string> rows = table_rows(table.stdout_text);

  CHECK(rows.size() == devices.size());
  for (const auto& [id, device] : devices.items()) {
    bool shown_field_assumed = false;
    for (const nlohmann::json& field : device.at("assumed")) {
      shown_field_assumed = shown_field_assumed || kTableFields.contains(field.get<std::string>());
    }
    const std::optional<std::string> row = row_starting_with(rows, id);
    INFO("device ", id);
    REQUIRE(row.has_value());
    CHECK(contains(*row, "*") == shown_field_assumed);
  }
}

TEST_CASE("config devices --config adds the config's devices and unmarks the figures it sets") {
  const nlohmann::json builtin =
      require_json_output(run_scoville({"config", "devices", "--format", "json"}));
  const nlohmann::json configured = require_json_output(
      run_scoville({"config", "devices", "--config", kExampleConfig, "--format", "json"}));

  CHECK_FALSE(builtin.contains("l40s"));
  REQUIRE(configured.contains("l40s"));
  // The example config sets its own H100 capex, so that figure is no longer an assumption.
  const auto marks_capex = [](const nlohmann::json& device) {
    const nlohmann::json& assumed = device.at("assumed");
    return std::find(assumed.begin(), assumed.end(), "cost.capex_usd") != assumed.end();
  };
  CHECK(marks_capex(builtin.at("h100")));
  CHECK_FALSE(marks_capex(configured.at("h100")));
}

TEST_CASE("config devices --config with an invalid file fails naming the problem") {
  TempDir dir;
  const std::filesystem::path config = dir.write_file("config.jsonc", kConfigWithProblems);

  const CommandResult result = run_scoville({"config", "devices", "--config", config.string()});

  check_input_error(result, "scoville config devices: ");
  CHECK(contains(result.stderr_text, "devices.h100.hbm_bytes_per_second"));
}

TEST_CASE("config models lists the catalog's models") {
  const nlohmann::json out =
      require_json_output(run_scoville({"config", "models", "--format", "json"}));

  REQUIRE(out.contains("llama-3.1-70b"));
  CHECK(out.at("llama-3.1-70b").at("parameter_count").get<double>() > 60e9);
}

}  // namespace
}  // namespace scoville::cli_test
