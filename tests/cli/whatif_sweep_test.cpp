// `scoville whatif --sweep PATH=START:STOP:STEP`: one axis gives a row per value, two give a
// grid, and a spec or a point that does not fit the scenario fails naming it.
#include <cstddef>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"

namespace scoville::cli_test {
namespace {

const std::string kCustomerExample = example_path("customer_efficient_tier.jsonc");
const std::string kFleetExample = example_path("fleet_device_deltas.jsonc");
constexpr const char* kWhatifPrefix = "scoville whatif: ";
constexpr const char* kShareSweep = "tiers[0].traffic_share=0:1:0.25";

// The example's saving when a share `traffic_share` of the traffic moves and a share
// `input_share` of the spend is on input tokens.
double customer_saving(double traffic_share, double input_share) {
  return traffic_share * (input_share * 0.20 + (1.0 - input_share) * 0.35);
}

TEST_CASE("whatif --sweep over one axis evaluates one point per value with its own saving") {
  const nlohmann::json out = require_json_output(
      run_scoville({"whatif", kCustomerExample, "--format", "json", "--sweep", kShareSweep}));

  REQUIRE(out.at("axes").size() == 1);
  CHECK(out.at("axes")[0].at("path") == "tiers[0].traffic_share");
  const nlohmann::json& points = out.at("points");
  REQUIRE(points.size() == 5);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double share = 0.25 * static_cast<double>(i);
    const nlohmann::json& point = points[i];
    REQUIRE(point.at("coordinates").size() == 1);
    check_near(point.at("coordinates")[0].get<double>(), share, "coordinate");
    const nlohmann::json& headline = point.at("result").at("headline");
    check_near(headline.at("after").get<double>(), 600000.0 * (1.0 - customer_saving(share, 0.4)),
               "total after");
    if (share > 0.0) {
      check_near(headline.at("relative_change").get<double>(), -customer_saving(share, 0.4),
                 "relative change");
    }
  }
}

TEST_CASE("whatif --sweep over one axis prints one table row per value") {
  const CommandResult result = run_scoville({"whatif", kCustomerExample, "--sweep", kShareSweep});
  require_success(result);

  const std::vector<std::string> rows = table_rows(result.stdout_text);
  REQUIRE(rows.size() == 5);
  const std::vector<std::string> values = {"0", "0.25", "0.5", "0.75", "1"};
  const std::vector<std::string> percents = {"0.00%", "-7.25%", "-14.50%", "-21.75%", "-29.00%"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row ", rows[i]);
    CHECK(rows[i].starts_with(values[i] + " "));
    CHECK(rows[i].ends_with(" " + percents[i]));
  }
}

TEST_CASE("whatif --sweep over one axis writes a CSV record per value") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--format", "csv", "--sweep", kShareSweep});
  require_success(result);

  const auto records = parse_csv(result.stdout_text);
  REQUIRE(records.has_value());
  REQUIRE(records->size() == 6);
  CHECK(records->front().front() == "tiers[0].traffic_share");
  for (const std::vector<std::string>& record : *records) {
    CHECK(record.size() == records->front().size());
  }
}

TEST_CASE("whatif --sweep applies on top of --set") {
  const nlohmann::json out = require_json_output(
      run_scoville({"whatif", kCustomerExample, "--format", "json", "--set",
                    "input_spend_share=0.5", "--sweep", "tiers[0].traffic_share=0:1:0.5"}));

  const nlohmann::json& points = out.at("points");
  REQUIRE(points.size() == 3);
  check_near(points[2].at("result").at("headline").at("relative_change").get<double>(),
             -customer_saving(1.0, 0.5), "relative change at share 1");
}

TEST_CASE("whatif --sweep over a fleet's utilisation lowers cost per token as it rises") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kFleetExample, "--format", "json", "--sweep",
                                        "after.groups[0].utilization=0.5:1:0.25"}));

  const nlohmann::json& points = out.at("points");
  REQUIRE(points.size() == 3);
  const double before = points[0].at("result").at("headline").at("before").get<double>();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double utilization = 0.5 + 0.25 * static_cast<double>(i);
    // Cost per token scales with C / (T x U) against the before side's U of 0.75.
    const double expected = before * 0.85 / (1.35 * utilization / 0.75);
    check_near(points[i].at("result").at("headline").at("after").get<double>(), expected,
               "cost per Mtok after");
  }
}

TEST_CASE("whatif with two --sweep axes evaluates the whole grid") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kCustomerExample, "--format", "json", "--sweep",
                                        kShareSweep, "--sweep", "input_spend_share=0:1:0.5"}));

  REQUIRE(out.at("axes").size() == 2);
  const nlohmann::json& points = out.at("points");
  REQUIRE(points.size() == 5 * 3);
  for (const nlohmann::json& point : points) {
    REQUIRE(point.at("coordinates").size() == 2);
    const double share = point.at("coordinates")[0].get<double>();
    const double input_share = point.at("coordinates")[1].get<double>();
    check_near(point.at("result").at("headline").at("after").get<double>(),
               600000.0 * (1.0 - customer_saving(share, input_share)), "total after");
  }
  // The first axis is the outer loop.
  check_near(points[1].at("coordinates")[0].get<double>(), 0.0, "second point, first axis");
  check_near(points[1].at("coordinates")[1].get<double>(), 0.5, "second point, second axis");
}

TEST_CASE("whatif with two --sweep axes prints a grid with a row per first-axis value") {
  const CommandResult result = run_scoville(
      {"whatif", kCustomerExample, "--sweep", kShareSweep, "--sweep", "input_spend_share=0:1:0.5"});
  require_success(result);

  const std::vector<std::string> rows = table_rows(result.stdout_text);
  REQUIRE(rows.size() == 5);
  // At share 0.5 and input share 0.5 the total is 600,000 x (1 - 0.1375).
  const std::optional<std::string> half = row_starting_with(rows, "0.5");
  REQUIRE(half.has_value());
  CHECK(contains(*half, "517,500.00"));
}

TEST_CASE("whatif --sweep reaching an invalid value fails naming the point and the rule") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=0:1.5:0.25"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "tiers[0].traffic_share=1.25"));
  CHECK(contains(result.stderr_text, "must be a number between 0 and 1"));
  CHECK(contains(result.stderr_text, "got 1.25"));
}

TEST_CASE("whatif --sweep without a range fails showing the expected form") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text,
                 "--sweep tiers[0].traffic_share: expected PATH=START:STOP:STEP"));
}

TEST_CASE("whatif --sweep with two parts to its range fails asking for START:STOP:STEP") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=0:1"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "expected START:STOP:STEP after the ="));
}

TEST_CASE("whatif --sweep with a bound that is not a number fails saying so") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=a:1:0.25"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "START, STOP and STEP must be numbers"));
}

TEST_CASE("whatif --sweep with a step of 0 fails instead of looping") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=0:1:0"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "STEP must not be 0"));
}

TEST_CASE("whatif --sweep with a step pointing away from STOP fails naming the three numbers") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=1:0:0.25"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "STEP 0.25 never reaches STOP 0 from START 1"));
}

TEST_CASE("whatif --sweep with too many points fails before evaluating any") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=0:1:1e-9"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "points; at most 100000 are allowed"));
}

TEST_CASE("whatif with three --sweep axes fails asking for one or two") {
  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--sweep", kShareSweep, "--sweep",
                    "input_spend_share=0:1:0.5", "--sweep", "monthly_spend_usd=1:2:1"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "give one or two axes"));
}

TEST_CASE("whatif with two --sweep axes on the same path fails naming the path") {
  const CommandResult result = run_scoville({"whatif", kCustomerExample, "--sweep", kShareSweep,
                                             "--sweep", "tiers[0].traffic_share=0:1:0.5"});

  check_input_error(result, kWhatifPrefix);
  CHECK(contains(result.stderr_text, "both axes sweep tiers[0].traffic_share"));
}

}  // namespace
}  // namespace scoville::cli_test
