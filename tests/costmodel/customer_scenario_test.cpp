#include <doctest/doctest.h>

#include "config/jsonc.h"
#include "costmodel/customer_scenario.h"

namespace scoville::costmodel {
namespace {

CustomerScenario parse(const std::string& text, config::Issues& issues) {
  Result<nlohmann::json> document = config::parse_jsonc(text, "test");
  REQUIRE(document.has_value());
  return parse_customer_scenario(*document, nullptr, issues);
}

const char* kSeedScenario = R"({
  "kind": "customer", "monthly_spend_usd": 600000, "input_spend_share": 0.4,
  "tiers": [{"name": "efficient", "traffic_share": 0.7, "input_discount": 0.2,
             "output_discount": 0.35}]})";

TEST_CASE("the seed's efficient tier saves 20.3 percent of a 600k monthly spend") {
  config::Issues issues;
  const CustomerScenario scenario = parse(kSeedScenario, issues);
  REQUIRE(issues.empty());
  const Comparison comparison = evaluate_customer_scenario(scenario);

  const ComponentChange& total = comparison.headline_component();
  CHECK(total.before == doctest::Approx(600000));
  CHECK(total.after == doctest::Approx(478200));
  CHECK(total.change() == doctest::Approx(-121800));
  CHECK(*total.relative_change() == doctest::Approx(-0.203));

  // Output saves 0.6 x 0.7 x 0.35 = 14.7% of spend, input 0.4 x 0.7 x 0.2 = 5.6%.
  CHECK(comparison.find("output_spend_usd_per_month")->change() ==
        doctest::Approx(-0.147 * 600000));
  CHECK(comparison.find("input_spend_usd_per_month")->change() == doctest::Approx(-0.056 * 600000));
}

TEST_CASE("tier and unmoved spend add up to the total before and after") {
  config::Issues issues;
  const Comparison c = evaluate_customer_scenario(parse(kSeedScenario, issues));
  const ComponentChange& tier = *c.find("tier_efficient_spend_usd_per_month");
  const ComponentChange& rest = *c.find("unmoved_spend_usd_per_month");
  CHECK(tier.before + rest.before == doctest::Approx(c.headline_component().before));
  CHECK(tier.after + rest.after == doctest::Approx(c.headline_component().after));
}

TEST_CASE("a premium tier is a negative discount and raises spend") {
  config::Issues issues;
  const CustomerScenario scenario = parse(R"({"kind": "customer", "monthly_spend_usd": 1000,
    "input_spend_share": 0.5, "tiers": [{"name": "fast", "traffic_share": 0.5,
    "input_discount": -0.2, "output_discount": -0.2}]})",
                                          issues);
  REQUIRE(issues.empty());
  CHECK(evaluate_customer_scenario(scenario).headline_component().after == doctest::Approx(1100));
}

TEST_CASE("shares above one are rejected with their path") {
  config::Issues issues;
  parse(R"({"kind": "customer", "monthly_spend_usd": 1, "input_spend_share": 1.2,
    "tiers": [{"name": "a", "traffic_share": 1.5}]})",
        issues);
  const std::string text = issues.to_string();
  CHECK(text.find("input_spend_share: must be a number between 0 and 1, got 1.2") !=
        std::string::npos);
  CHECK(text.find("tiers[0].traffic_share: must be a number between 0 and 1, got 1.5") !=
        std::string::npos);
}

TEST_CASE("traffic shares of all tiers together must not exceed one") {
  config::Issues issues;
  parse(R"({"kind": "customer", "monthly_spend_usd": 1, "input_spend_share": 0.5,
    "tiers": [{"name": "a", "traffic_share": 0.6}, {"name": "b", "traffic_share": 0.6}]})",
        issues);
  CHECK(issues.to_string().find("tiers: traffic shares add up to 1.2") != std::string::npos);
}

TEST_CASE("a negative spend and an unknown key are both reported") {
  config::Issues issues;
  parse(R"({"kind": "customer", "monthly_spend_usd": -5, "input_spend_share": 0.5,
    "tiers": [{"name": "a", "traffic_shar": 0.5}]})",
        issues);
  const std::string text = issues.to_string();
  CHECK(text.find("monthly_spend_usd: must be > 0, got -5") != std::string::npos);
  CHECK(text.find("tiers[0].traffic_shar: unknown key (did you mean \"traffic_share\"?)") !=
        std::string::npos);
  CHECK(text.find("tiers[0].traffic_share: is required") != std::string::npos);
}

}  // namespace
}  // namespace scoville::costmodel
