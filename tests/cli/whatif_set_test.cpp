// `scoville whatif --set PATH=VALUE`: overrides a scenario value for one run, and names the
// path (with a suggestion) when it does not fit the scenario.
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"

namespace scoville::cli_test {
namespace {

const std::string kCustomerExample = example_path("customer_efficient_tier.jsonc");
constexpr const char* kWhatifPrefix = "scoville whatif: ";

TEST_CASE("whatif --set on a tier's traffic share changes the saving to 14.5%") {
  const nlohmann::json out = require_json_output(run_scoville(
      {"whatif", kCustomerExample, "--format", "json", "--set", "tiers[0].traffic_share=0.5"}));

  // Half the traffic saves 35% on the 60% output share and 20% on the 40% input share.
  const double expected_saving = 0.5 * (0.6 * 0.35 + 0.4 * 0.2);
  check_near(out.at("headline").at("relative_change").get<double>(), -expected_saving,
             "relative change");
  check_near(out.at("headline").at("after").get<double>(), 600000.0 * (1.0 - expected_saving),
             "total after");
}

TEST_CASE("whatif --set shows the overridden result in the table too") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "tiers[0].traffic_share=0.5"});
  require_success(result);

  CHECK(contains(result.stdout_text, "-14.50%"));
  CHECK_FALSE(contains(result.stdout_text, "-20.30%"));
}

TEST_CASE("whatif applies several --set options together") {
  const nlohmann::json out = require_json_output(
      run_scoville({"whatif", kCustomerExample, "--format", "json", "--set",
                    "tiers[0].traffic_share=0.5", "--set", "input_spend_share=0.5"}));

  check_near(out.at("headline").at("relative_change").get<double>(),
             -0.5 * (0.5 * 0.35 + 0.5 * 0.2), "relative change");
}

TEST_CASE("whatif --set on a misspelt key fails naming the path and suggesting the right key") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "tiers[0].traffic_shar=0.5"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "tiers[0].traffic_shar"));
  CHECK(contains(result.stderr_text, "unknown key"));
  CHECK(contains(result.stderr_text, "did you mean \"traffic_share\""));
  CHECK(contains(result.stderr_text, "set on the command line"));
}

TEST_CASE("whatif --set through an unknown intermediate key fails naming that key") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "tierz[0].traffic_share=0.5"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "--set tierz[0].traffic_share=0.5"));
  CHECK(contains(result.stderr_text, "tierz: unknown key"));
  CHECK(contains(result.stderr_text, "did you mean \"tiers\""));
}

TEST_CASE("whatif --set past the end of an array fails naming the index and the array's size") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "tiers[3].traffic_share=0.5"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "tiers[3]: index out of range"));
  CHECK(contains(result.stderr_text, "1 elements"));
}

TEST_CASE("whatif --set without an equals sign fails showing the expected PATH=VALUE form") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "tiers[0].traffic_share"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "--set tiers[0].traffic_share: expected PATH=VALUE"));
}

TEST_CASE("whatif --set with an empty path fails showing the expected PATH=VALUE form") {
  const CommandResult result = run_scoville({"whatif", kCustomerExample, "--set", "=0.5"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "expected PATH=VALUE"));
}

TEST_CASE(
    "whatif --set to an out-of-range value fails saying the value came from the command line") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "input_spend_share=1.2"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "input_spend_share: must be a number between 0 and 1"));
  CHECK(contains(result.stderr_text, "got 1.2"));
  CHECK(contains(result.stderr_text, "(set on the command line)"));
}

TEST_CASE("whatif --set to a text value where a number belongs fails naming the type") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--set", "monthly_spend_usd=lots"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "monthly_spend_usd: must be > 0, got a string"));
}

}  // namespace
}  // namespace scoville::cli_test
