// `scoville prices --config FILE` and what-if tiers priced from a price book.
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

const nlohmann::json& quote(const nlohmann::json& book, const std::string& model,
                            const std::string& compute_class) {
  for (const nlohmann::json& q : book["quotes"]) {
    if (q["model"] == model && q["compute_class"] == compute_class) return q;
  }
  FAIL("no quote for " << model << " in " << compute_class);
  return book;
}

TEST_CASE("prices lists the shipped price book with the margin of its cost-plus entry") {
  const nlohmann::json book = require_json_output(
      run_scoville({"prices", "--config", example_path("config.jsonc"), "--format", "json"}));

  const nlohmann::json& standard = quote(book, "llama-3.1-70b", "standard");
  check_near(standard["input_usd_per_mtok"].get<double>(), 0.60, "standard input price");
  CHECK(standard["input_gross_margin"].is_null());

  const nlohmann::json& efficient = quote(book, "llama-3.1-70b", "efficient");
  CHECK(efficient["priced_from_cost"] == true);
  check_near(efficient["input_gross_margin"].get<double>(), 0.55, "cost-plus margin");
  check_near(efficient["output_usd_per_mtok"].get<double>(),
             efficient["cost"]["output_usd_per_mtok"].get<double>() / 0.45, "cost-plus price");
}

TEST_CASE("prices shows the volume discount a monthly spend reaches") {
  const CommandResult result = run_scoville(
      {"prices", "--config", example_path("config.jsonc"), "--monthly-spend", "100000"});
  require_success(result);
  CHECK(contains(result.stdout_text, "A monthly spend of 100,000.00 USD gets 5.00% off"));
}

TEST_CASE("prices without a price book in the config says so") {
  TempDir dir;
  const auto config = dir.write_file("config.jsonc", "{}");
  check_input_error(run_scoville({"prices", "--config", config.string()}), "scoville prices: ");
}

TEST_CASE("a customer tier naming a compute class is priced from the config's price book") {
  const nlohmann::json out = require_json_output(
      run_scoville({"whatif", example_path("customer_price_book.jsonc"), "--config",
                    example_path("config.jsonc"), "--format", "json"}));
  const nlohmann::json book = require_json_output(
      run_scoville({"prices", "--config", example_path("config.jsonc"), "--format", "json"}));

  const double standard_in = quote(book, "llama-3.1-70b", "standard")["input_usd_per_mtok"];
  const double efficient_in = quote(book, "llama-3.1-70b", "efficient")["input_usd_per_mtok"];
  const double standard_out = quote(book, "llama-3.1-70b", "standard")["output_usd_per_mtok"];
  const double efficient_out = quote(book, "llama-3.1-70b", "efficient")["output_usd_per_mtok"];
  // 250k a month, 35% on input, 60% of the traffic moving.
  const double expected =
      250000 *
      (0.4 + 0.6 * (0.35 * efficient_in / standard_in + 0.65 * efficient_out / standard_out));
  check_near(out["headline"]["after"].get<double>(), expected, "total spend after", 1e-6);
}

TEST_CASE("a tier priced from a price book needs --config") {
  check_input_error(run_scoville({"whatif", example_path("customer_price_book.jsonc")}),
                    "scoville whatif: ");
  CHECK(contains(run_scoville({"whatif", example_path("customer_price_book.jsonc")}).stderr_text,
                 "tiers[0].compute_class: needs a price book"));
}

TEST_CASE("numeric options explain their range in the validator's words") {
  const CommandResult share = run_scoville({"cost", "--device", "h100", "--utilization", "1.5"});
  CHECK(share.exited_with(kExitUsageError));
  CHECK(contains(share.stderr_text, "--utilization: must be a number between 0 and 1, got 1.5"));

  const CommandResult rate = run_scoville({"cost", "--device", "h100", "--tokens-per-second", "0"});
  CHECK(contains(rate.stderr_text, "--tokens-per-second: must be > 0, got 0"));

  const CommandResult format =
      run_scoville({"whatif", example_path("customer_efficient_tier.jsonc"), "--format", "xml"});
  CHECK(format.exited_with(kExitUsageError));
  CHECK(
      contains(format.stderr_text, "--format: unknown format \"xml\"; expected table, json, csv"));
}

TEST_CASE("a value that is not UTF-8 does not break JSON output") {
  const CommandResult result =
      run_scoville({"whatif", example_path("customer_efficient_tier.jsonc"), "--set",
                    "tiers[0].name=\xff", "--format", "json"});
  require_success(result);
  const nlohmann::json parsed = nlohmann::json::parse(result.stdout_text, nullptr, false);
  CHECK_FALSE(parsed.is_discarded());
}

TEST_CASE("a token that ends its line is located on that line") {
  TempDir dir;
  const auto scenario =
      dir.write_file("s.jsonc", "{\n  \"kind\": \"customer\",\n  \"input_spend_share\" 0.4\n}\n");
  const CommandResult result = run_scoville({"whatif", scenario.string()});
  CHECK(contains(result.stderr_text, "malformed JSON at line 3, column 25"));
}

}  // namespace
}  // namespace scoville::cli_test
