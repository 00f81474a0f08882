// `scoville whatif` on scenario files that are missing, unreadable or wrong: each fails with
// exit code 1, one report on stderr naming the problem and where it is, and nothing on stdout.
#include <filesystem>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

constexpr const char* kWhatifPrefix = "scoville whatif: ";

// Runs `scoville whatif` on a scenario file holding `contents`.
CommandResult run_whatif_on(const TempDir& dir, std::string_view contents) {
  const std::filesystem::path scenario = dir.write_file("scenario.jsonc", contents);
  return run_scoville({"whatif", scenario.string()});
}

// A valid customer scenario with `fields` appended after its first, required ones.
std::string customer_scenario(std::string_view fields) {
  return std::string(R"({"kind": "customer", "monthly_spend_usd": 1000, )") + std::string(fields) +
         "}";
}

// A valid one-group fleet scenario whose group has `group_fields` added.
std::string fleet_scenario(std::string_view group_fields) {
  return std::string(R"({"kind": "fleet", "before": {"groups": [{"name": "node", )") +
         std::string(group_fields) +
         R"(, "tokens_per_second": 1000, "utilization": 0.5, "input_token_share": 0.5,
         "prefill_time_share": 0.5}]}, "after": {"groups": []}})";
}

TEST_CASE("whatif reports a missing scenario file by name and exits non-zero") {
  TempDir dir;
  const std::string missing = (dir.path() / "no-such-scenario.jsonc").string();

  const CommandResult result = run_scoville({"whatif", missing});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "cannot read " + missing));
}

TEST_CASE("whatif reports malformed JSON with the file, line and column of the mistake") {
  TempDir dir;
  // Line 4 lacks the colon; the number after the key (columns 23 to 25) is the first bad token.
  const CommandResult result = run_whatif_on(dir,
                                             "{\n"
                                             "  \"kind\": \"customer\",\n"
                                             "  \"monthly_spend_usd\": 600000,\n"
                                             "  \"input_spend_share\" 0.4, \"tiers\": []\n"
                                             "}\n");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "scenario.jsonc: malformed JSON at line 4, column "));
  const std::size_t column_at = result.stderr_text.find("column ");
  REQUIRE(column_at != std::string::npos);
  const int column = std::stoi(result.stderr_text.substr(column_at + 7));
  CHECK(column >= 23);
  CHECK(column <= 26);
}

TEST_CASE("whatif reports an empty scenario file as malformed instead of crashing") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, "");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "scenario.jsonc: malformed JSON"));
  CHECK(contains(result.stderr_text, "unexpected end of input"));
}

TEST_CASE("whatif reports a file that holds only a comment as malformed") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, "// nothing but a comment\n");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "malformed JSON"));
}

TEST_CASE("whatif reports a directory given as the scenario") {
  TempDir dir;

  const CommandResult result = run_scoville({"whatif", dir.path().string()});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "cannot read " + dir.path().string() + ": is a directory"));
}

TEST_CASE("whatif reports a scenario that is not a JSON object") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, "[1, 2, 3]");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "must be an object, got an array"));
}

TEST_CASE("whatif reports an input spend share above 1 by name and range") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, customer_scenario(R"("input_spend_share": 1.2, "tiers": [])"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "1 problem\n"));
  CHECK(contains(result.stderr_text, "input_spend_share: must be a number between 0 and 1"));
  CHECK(contains(result.stderr_text, "got 1.2"));
  CHECK_FALSE(contains(result.stderr_text, "set on the command line"));
}

TEST_CASE("whatif reports a negative monthly spend by name") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, R"({"kind": "customer", "monthly_spend_usd": -5, "input_spend_share": 0.4,
               "tiers": []})");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "1 problem\n"));
  CHECK(contains(result.stderr_text, "monthly_spend_usd: must be > 0, got -5"));
}

TEST_CASE("whatif reports a discount beyond -1 by its tier's path") {
  TempDir dir;

  const CommandResult result = run_whatif_on(
      dir, customer_scenario(R"("input_spend_share": 0.4, "tiers": [{"name": "premium",
           "traffic_share": 0.5, "output_discount": -1.5}])"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "1 problem\n"));
  CHECK(contains(result.stderr_text,
                 "tiers[0].output_discount: must be a number between -1 and 1, got -1.5"));
}

TEST_CASE("whatif reports a negative hourly cost in a fleet group by its path") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, fleet_scenario(R"("hourly_cost_usd": -4)"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "before.groups[0].hourly_cost_usd: must be > 0, got -4"));
}

TEST_CASE("whatif reports an unknown kind and suggests the closest one") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, R"({"kind": "custmer", "monthly_spend_usd": 1, "input_spend_share": 0.4,
               "tiers": []})");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "kind: unknown value \"custmer\""));
  CHECK(contains(result.stderr_text, "did you mean \"customer\""));
  CHECK(contains(result.stderr_text, "expected one of customer, fleet"));
}

TEST_CASE("whatif reports a scenario without a kind, listing the kinds") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, R"({"monthly_spend_usd": 1})");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "kind: is required: \"customer\" or \"fleet\""));
}

TEST_CASE("whatif reports a missing required field by name") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, R"({"kind": "customer", "input_spend_share": 0.4, "tiers": []})");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "1 problem\n"));
  CHECK(contains(result.stderr_text, "monthly_spend_usd: is required"));
}

TEST_CASE("whatif reports tiers whose traffic shares add up to more than 1") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, customer_scenario(R"("input_spend_share": 0.4, "tiers": [
             {"name": "a", "traffic_share": 0.7}, {"name": "b", "traffic_share": 0.5}])"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "tiers: traffic shares add up to 1.2"));
  CHECK(contains(result.stderr_text, "must not exceed 1"));
}

TEST_CASE("whatif reports a misspelt key in the file and suggests the right one") {
  TempDir dir;

  const CommandResult result = run_whatif_on(
      dir, customer_scenario(
               R"("input_spend_share": 0.4, "tiers": [{"name": "a", "traffic_shar": 0.5}])"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "tiers[0].traffic_shar: unknown key"));
  CHECK(contains(result.stderr_text, "did you mean \"traffic_share\""));
}

TEST_CASE("whatif reports an unknown device in a fleet group and suggests the closest one") {
  TempDir dir;

  const CommandResult result = run_whatif_on(dir, fleet_scenario(R"("device": "h10")"));

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "1 problem\n"));
  CHECK(contains(result.stderr_text, "before.groups[0].device: unknown device \"h10\""));
  CHECK(contains(result.stderr_text, "did you mean \"h100\""));
}

TEST_CASE("whatif lists every problem of a scenario, each with its path") {
  TempDir dir;

  const CommandResult result =
      run_whatif_on(dir, R"({"kind": "customer", "monthly_spend_usd": -5, "input_spend_share": 1.2,
               "tiers": []})");

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "2 problems\n"));
  CHECK(contains(result.stderr_text, "monthly_spend_usd: must be > 0"));
  CHECK(contains(result.stderr_text, "input_spend_share: must be a number between 0 and 1"));
}

TEST_CASE("whatif reports an invalid --config file before reading the scenario") {
  TempDir dir;
  const std::filesystem::path config =
      dir.write_file("config.jsonc", R"({"devices": {"h100": {"hbm_bytes_per_second": 0}}})");

  const CommandResult result =
      run_scoville({"whatif", example_path("fleet_mix.jsonc"), "--config", config.string()});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "devices.h100.hbm_bytes_per_second: must be > 0"));
}

}  // namespace
}  // namespace scoville::cli_test
