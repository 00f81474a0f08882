// `scoville whatif` on the shipped examples reproduces the figures their comments quote, in
// each output format.
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
const std::string kFleetMixExample = example_path("fleet_mix.jsonc");

const std::vector<std::string> kCsvHeader = {"name",  "label",  "unit",           "before",
                                             "after", "change", "relative_change"};

TEST_CASE("whatif on the customer example saves 20.3% of $600k, $121,800 a month, in JSON") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kCustomerExample, "--format", "json"}));

  CHECK(out.at("kind") == "customer");
  const nlohmann::json& headline = out.at("headline");
  CHECK(headline.at("name") == "total_spend_usd_per_month");
  check_near(headline.at("before").get<double>(), 600000.0, "total before");
  check_near(headline.at("after").get<double>(), 478200.0, "total after");
  check_near(headline.at("change").get<double>(), -121800.0, "total change");
  check_near(headline.at("relative_change").get<double>(), -0.203, "total relative change");

  const nlohmann::json& input = component(out, "input_spend_usd_per_month");
  check_near(input.at("before").get<double>(), 240000.0, "input before");
  check_near(input.at("after").get<double>(), 206400.0, "input after");
  const nlohmann::json& output = component(out, "output_spend_usd_per_month");
  check_near(output.at("before").get<double>(), 360000.0, "output before");
  check_near(output.at("after").get<double>(), 271800.0, "output after");
}

TEST_CASE("whatif lists the assumptions a customer result rests on") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kCustomerExample, "--format", "json"}));

  REQUIRE(out.at("assumptions").is_array());
  CHECK_FALSE(out.at("assumptions").empty());
}

TEST_CASE("whatif on the fleet example cuts cost per million tokens by about 41%") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kFleetExample, "--format", "json"}));

  // Cost per token scales with C / (T x U): 0.85 / (1.35 x 0.80 / 0.75).
  const double expected_relative_change = 0.85 / (1.35 * 0.8 / 0.75) - 1.0;
  CHECK(out.at("kind") == "fleet");
  const nlohmann::json& headline = out.at("headline");
  CHECK(headline.at("name") == "cost_usd_per_mtok");
  check_near(headline.at("relative_change").get<double>(), expected_relative_change,
             "cost per Mtok relative change");
  check_near(headline.at("relative_change").get<double>(), -0.41, "about 41%", 0.005);

  const nlohmann::json& cost = component(out, "hourly_cost_usd");
  check_near(cost.at("before").get<double>(), 4.25, "hourly cost before");
  check_near(cost.at("relative_change").get<double>(), -0.15, "hourly cost relative change");
  const nlohmann::json& throughput = component(out, "throughput_tokens_per_second");
  check_near(throughput.at("after").get<double>(), 2500.0 * 1.35, "throughput after");
}

TEST_CASE("whatif prints the customer example as a table with the saving and its percentage") {
  const CommandResult result = run_scoville({"whatif", kCustomerExample});
  require_success(result);

  const std::string& out = result.stdout_text;
  CHECK(out.find("-20.30%") != std::string::npos);
  CHECK(out.find("-121,800.00") != std::string::npos);
  const std::optional<std::string> total = row_starting_with(table_rows(out), "Total spend");
  REQUIRE(total.has_value());
  CHECK(total->find("600,000.00") != std::string::npos);
  CHECK(total->find("478,200.00") != std::string::npos);
  CHECK(total->find("-121,800.00") != std::string::npos);
  CHECK(total->find("-20.30%") != std::string::npos);
}

TEST_CASE("whatif prints the fleet example's changes with their signs, headline -40.97%") {
  const CommandResult result = run_scoville({"whatif", kFleetExample});
  require_success(result);

  const std::vector<std::string> rows = table_rows(result.stdout_text);
  const std::optional<std::string> headline = row_starting_with(rows, "Cost per million tokens");
  REQUIRE(headline.has_value());
  CHECK(contains(*headline, "-40.97%"));
  const std::optional<std::string> throughput = row_starting_with(rows, "Fleet throughput T");
  REQUIRE(throughput.has_value());
  CHECK(contains(*throughput, "+875.00"));
  CHECK(contains(*throughput, "+35.00%"));
}

TEST_CASE("whatif CSV output parses with one record per component under the documented header") {
  const CommandResult result = run_scoville({"whatif", kCustomerExample, "--format", "csv"});
  require_success(result);

  const auto records = parse_csv(result.stdout_text);
  REQUIRE(records.has_value());
  REQUIRE(records->size() >= 2);
  CHECK(records->front() == kCsvHeader);
  const std::vector<std::string>* total = nullptr;
  for (const std::vector<std::string>& record : *records) {
    CHECK(record.size() == kCsvHeader.size());
    if (!record.empty() && record[0] == "total_spend_usd_per_month") total = &record;
  }
  REQUIRE(total != nullptr);
  REQUIRE(total->size() == kCsvHeader.size());
  check_near(std::stod((*total)[3]), 600000.0, "CSV before");
  check_near(std::stod((*total)[4]), 478200.0, "CSV after");
  check_near(std::stod((*total)[5]), -121800.0, "CSV change");
  check_near(std::stod((*total)[6]), -0.203, "CSV relative change");
}

TEST_CASE("whatif CSV output quotes a tier name holding a comma and a quote") {
  const CommandResult result = run_scoville(
      {"whatif", kCustomerExample, "--format", "csv", "--set", "tiers[0].name=cheap, \"eco\""});
  require_success(result);

  const auto records = parse_csv(result.stdout_text);
  REQUIRE(records.has_value());
  bool found = false;
  for (const std::vector<std::string>& record : *records) {
    CHECK(record.size() == kCsvHeader.size());
    if (record.size() > 1 && record[1] == "Spend on tier cheap, \"eco\"") found = true;
  }
  CHECK(found);
}

TEST_CASE("whatif on a fleet priced from the catalog lists the assumed figures it rests on") {
  const nlohmann::json out =
      require_json_output(run_scoville({"whatif", kFleetMixExample, "--format", "json"}));

  const nlohmann::json& assumptions = out.at("assumptions");
  REQUIRE(assumptions.is_array());
  bool names_jalapeno_capex = false;
  for (const nlohmann::json& assumption : assumptions) {
    names_jalapeno_capex =
        names_jalapeno_capex ||
        assumption.get<std::string>().find("jalapeno.cost.capex_usd") != std::string::npos;
  }
  CHECK(names_jalapeno_capex);
}

TEST_CASE("whatif --config prices a catalog fleet with the config's device costs") {
  const nlohmann::json builtin =
      require_json_output(run_scoville({"whatif", kFleetMixExample, "--format", "json"}));
  const nlohmann::json configured = require_json_output(run_scoville(
      {"whatif", kFleetMixExample, "--format", "json", "--config", example_path("config.jsonc")}));

  // The example config buys H100s for less than the catalog assumes.
  const double builtin_cost = component(builtin, "hourly_cost_usd").at("before").get<double>();
  const double configured_cost =
      component(configured, "hourly_cost_usd").at("before").get<double>();
  CHECK(configured_cost < builtin_cost);
}

}  // namespace
}  // namespace scoville::cli_test
