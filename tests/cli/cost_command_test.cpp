// `scoville cost --device ID`: a device's hourly cost term by term and, given a throughput, its
// cost per million tokens.
#include <cstdio>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"

namespace scoville::cli_test {
namespace {

constexpr double kSecondsPerHour = 3600.0;
constexpr double kTokensPerMillion = 1e6;

std::string four_decimals(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

TEST_CASE("cost prints a device's breakdown with capex and its cost per million tokens") {
  const CommandResult result =
      run_scoville({"cost", "--device", "h100", "--tokens-per-second", "2000"});
  require_success(result);

  const std::string& out = result.stdout_text;
  CHECK(contains(out, "Capex"));
  CHECK(contains(out, "Blended hourly cost C"));
  CHECK(contains(out, "cost per million tokens:"));
  CHECK(contains(out, "cost per million input tokens:"));
  CHECK(contains(out, "cost per million output tokens:"));
}

TEST_CASE("cost per million tokens is the hourly cost over the tokens an hour delivers") {
  const nlohmann::json out = require_json_output(run_scoville(
      {"cost", "--device", "h100", "--tokens-per-second", "2000", "--format", "json"}));

  const double hourly_cost_usd = out.at("hourly_cost_usd").get<double>();
  const double utilization = out.at("utilization").get<double>();
  check_near(utilization, 0.75, "default utilisation");
  const double expected =
      hourly_cost_usd / (2000.0 * kSecondsPerHour * utilization) * kTokensPerMillion;
  check_near(out.at("blended_usd_per_mtok").get<double>(), expected, "blended USD/Mtok");

  // The table shows the same figure, to four places.
  const CommandResult table =
      run_scoville({"cost", "--device", "h100", "--tokens-per-second", "2000"});
  require_success(table);
  CHECK(contains(table.stdout_text, "cost per million tokens:        " + four_decimals(expected)));
}

TEST_CASE("cost breakdown terms add up to the hourly cost") {
  const nlohmann::json out =
      require_json_output(run_scoville({"cost", "--device", "jalapeno", "--format", "json"}));

  double sum = 0.0;
  for (const auto& [name, term] : out.at("breakdown").items()) {
    sum += term.at("usd_per_hour").get<double>();
  }
  check_near(sum, out.at("hourly_cost_usd").get<double>(), "sum of terms");
  CHECK(out.at("breakdown").at("capex").at("assumed") == true);
  CHECK_FALSE(out.contains("blended_usd_per_mtok"));
}

TEST_CASE("cost with a higher utilisation spreads the same hour over more tokens") {
  const nlohmann::json low = require_json_output(run_scoville(
      {"cost", "--device", "h100", "--tokens-per-second", "2000", "--format", "json"}));
  const nlohmann::json high =
      require_json_output(run_scoville({"cost", "--device", "h100", "--tokens-per-second", "2000",
                                        "--utilization", "0.9", "--format", "json"}));

  CHECK(high.at("blended_usd_per_mtok").get<double>() <
        low.at("blended_usd_per_mtok").get<double>());
}

TEST_CASE("cost with an unknown device fails and suggests the closest one") {
  const CommandResult result = run_scoville({"cost", "--device", "h10"});

  check_input_error(result, "scoville cost: ");
  CHECK(contains(result.stderr_text, "--device: unknown device \"h10\""));
  CHECK(contains(result.stderr_text, "did you mean \"h100\""));
}

TEST_CASE("cost with a utilisation above 1 is a usage error naming the option") {
  const CommandResult result = run_scoville({"cost", "--device", "h100", "--utilization", "1.5"});

  INFO(describe(result));
  CHECK(result.exited_with(kExitUsageError));
  CHECK(result.stdout_text.empty());
  CHECK(contains(result.stderr_text, "--utilization"));
  CHECK(lines_of(result.stderr_text).size() == 1);
}

}  // namespace
}  // namespace scoville::cli_test
