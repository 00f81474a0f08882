#include <doctest/doctest.h>

#include "config/jsonc.h"
#include "costmodel/customer_scenario.h"
#include "costmodel/hourly_cost.h"
#include "costmodel/price_book.h"

namespace scoville::costmodel {
namespace {

config::Config load(const std::string& text) {
  Result<nlohmann::json> document = config::parse_jsonc(text, "test");
  REQUIRE(document.has_value());
  config::Issues issues;
  config::Config config = config::build_config(*document, issues);
  REQUIRE_MESSAGE(issues.empty(), issues.to_string());
  return config;
}

const char* kBook = R"({"prices": {
  "entries": [
    {"model": "llama-3.1-8b", "compute_class": "standard", "input_usd_per_mtok": 0.2,
     "output_usd_per_mtok": 0.8},
    {"model": "llama-3.1-8b", "compute_class": "efficient", "input_usd_per_mtok": 0.16,
     "output_usd_per_mtok": 0.52, "discount": 0.1,
     "cost_basis": {"device": "h100", "tokens_per_second": 5000, "utilization": 0.8,
                    "input_token_share": 0.75, "prefill_time_share": 0.25}},
    {"model": "llama-3.1-70b", "compute_class": "standard", "gross_margin": 0.6,
     "cost_basis": {"device": "h100", "tokens_per_second": 1000, "utilization": 0.5}}],
  "volume_discounts": [{"min_monthly_spend_usd": 100000, "discount": 0.1},
                       {"min_monthly_spend_usd": 10000, "discount": 0.05}]}})";

TEST_CASE("a cost-plus price recovers the target gross margin") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  const PriceQuote& quote = *book.find("llama-3.1-70b", "standard");
  CHECK(quote.priced_from_cost);
  REQUIRE(quote.cost.has_value());
  CHECK(quote.list_input_usd_per_mtok == doctest::Approx(quote.cost->input_usd_per_mtok / 0.4));
  CHECK(*quote.input_gross_margin == doctest::Approx(0.6));
  CHECK(*quote.output_gross_margin == doctest::Approx(0.6));
}

TEST_CASE("explicit prices with a cost basis report the margin they imply after discount") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  const PriceQuote& quote = *book.find("llama-3.1-8b", "efficient");
  CHECK_FALSE(quote.priced_from_cost);
  CHECK(quote.input_usd_per_mtok == doctest::Approx(0.16 * 0.9));

  const double hourly = hourly_cost(*config.find_device("h100"), 0.8).total_usd_per_hour();
  const double cost_in = hourly / (5000 * 3600 * 0.8) * 1e6 * 0.25 / 0.75;
  CHECK(quote.cost->input_usd_per_mtok == doctest::Approx(cost_in));
  CHECK(*quote.input_gross_margin == doctest::Approx((0.144 - cost_in) / 0.144));
}

TEST_CASE("a quote without a cost basis has no margin") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  CHECK_FALSE(book.find("llama-3.1-8b", "standard")->input_gross_margin.has_value());
  CHECK(book.find("llama-3.1-8b", "low_latency") == nullptr);
}

TEST_CASE("the volume discount is that of the highest tier the spend reaches") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  CHECK(book.volume_discount(5000) == 0.0);
  CHECK(book.volume_discount(10000) == doctest::Approx(0.05));
  CHECK(book.volume_discount(99999) == doctest::Approx(0.05));
  CHECK(book.volume_discount(250000) == doctest::Approx(0.1));
}

TEST_CASE("a customer tier naming a compute class takes its discounts from the price book") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  Result<nlohmann::json> document = config::parse_jsonc(R"({"kind": "customer",
    "model": "llama-3.1-8b", "monthly_spend_usd": 1000, "input_spend_share": 0.5,
    "tiers": [{"name": "e", "compute_class": "efficient", "traffic_share": 1.0}]})",
                                                        "test");
  config::Issues issues;
  const CustomerScenario scenario = parse_customer_scenario(*document, &book, issues);
  REQUIRE_MESSAGE(issues.empty(), issues.to_string());
  // Net efficient prices 0.144 and 0.468 against standard 0.2 and 0.8.
  CHECK(scenario.tiers[0].input_discount == doctest::Approx(1 - 0.144 / 0.2));
  CHECK(scenario.tiers[0].output_discount == doctest::Approx(1 - 0.468 / 0.8));
  CHECK(evaluate_customer_scenario(scenario).headline_component().after ==
        doctest::Approx(500 * 0.144 / 0.2 + 500 * 0.468 / 0.8));
}

TEST_CASE("a tier priced from a class the book lacks names the missing price") {
  const config::Config config = load(kBook);
  const PriceBook book(*config.prices, config);
  Result<nlohmann::json> document = config::parse_jsonc(R"({"kind": "customer",
    "model": "llama-3.1-8b", "monthly_spend_usd": 1000, "input_spend_share": 0.5,
    "tiers": [{"name": "l", "compute_class": "low_latency", "traffic_share": 1.0}]})",
                                                        "test");
  config::Issues issues;
  parse_customer_scenario(*document, &book, issues);
  CHECK(issues.to_string().find("tiers[0].compute_class: the price book has no price for model "
                                "\"llama-3.1-8b\" in class \"low_latency\"") != std::string::npos);
}

}  // namespace
}  // namespace scoville::costmodel
