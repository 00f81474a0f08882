#include <doctest/doctest.h>

#include "config/jsonc.h"
#include "costmodel/fleet_scenario.h"
#include "costmodel/hourly_cost.h"

namespace scoville::costmodel {
namespace {

const config::Config& catalog() {
  static const config::Config config = *config::builtin_config();
  return config;
}

FleetScenario parse(const std::string& text, config::Issues& issues) {
  Result<nlohmann::json> document = config::parse_jsonc(text, "test");
  REQUIRE(document.has_value());
  return parse_fleet_scenario(*document, catalog(), issues);
}

Comparison evaluate(const std::string& text) {
  config::Issues issues;
  const FleetScenario scenario = parse(text, issues);
  REQUIRE_MESSAGE(issues.empty(), issues.to_string());
  return evaluate_fleet_scenario(scenario);
}

TEST_CASE("the seed's device deltas cut the fleet's cost per million tokens by about 41 percent") {
  const Comparison c = evaluate(R"({"kind": "fleet",
    "before": {"groups": [{"name": "n", "hourly_cost_usd": 4.25, "tokens_per_second": 2500,
                           "utilization": 0.75}]},
    "after": {"groups": [{"name": "n", "tokens_per_second_scale": 1.35,
                          "hourly_cost_scale": 0.85, "utilization": 0.8}]}})");
  CHECK(*c.headline_component().relative_change() ==
        doctest::Approx(0.85 / (1.35 * 0.8 / 0.75) - 1.0));
  CHECK(*c.find("hourly_cost_usd")->relative_change() == doctest::Approx(-0.15));
  CHECK(*c.find("throughput_tokens_per_second")->relative_change() == doctest::Approx(0.35));
  CHECK(c.find("utilization")->after == doctest::Approx(0.8));
  // 4.25 / (2500 x 3600 x 0.75) x 1e6
  CHECK(c.headline_component().before == doctest::Approx(4.25 / (2500 * 3600 * 0.75) * 1e6));
}

TEST_CASE("groups left out of the after side carry over unchanged") {
  const Comparison c = evaluate(R"({"kind": "fleet",
    "before": {"groups": [
      {"name": "a", "hourly_cost_usd": 2, "tokens_per_second": 1000, "utilization": 0.5},
      {"name": "b", "hourly_cost_usd": 4, "tokens_per_second": 1000, "utilization": 0.5}]},
    "after": {"groups": [{"name": "a", "count": 2}]}})");
  CHECK(c.find("hourly_cost_usd")->before == doctest::Approx(6));
  CHECK(c.find("hourly_cost_usd")->after == doctest::Approx(8));
  CHECK(c.find("group_b_devices")->after == doctest::Approx(1));
}

TEST_CASE("fleet cost per token is total cost over total delivered tokens") {
  const Comparison c = evaluate(R"({"kind": "fleet",
    "before": {"groups": [
      {"name": "a", "hourly_cost_usd": 3.6, "tokens_per_second": 1000, "utilization": 1.0},
      {"name": "b", "hourly_cost_usd": 3.6, "tokens_per_second": 3000, "utilization": 1.0}]},
    "after": {"groups": []}})");
  // 7.2 USD over 4000 x 3600 tokens: 0.5 USD per million.
  CHECK(c.headline_component().before == doctest::Approx(0.5));
  CHECK(c.find("group_a_cost_usd_per_mtok")->before == doctest::Approx(1.0));
}

TEST_CASE("a group naming a device takes its hourly cost from the catalog at its utilisation") {
  const Comparison c = evaluate(R"({"kind": "fleet",
    "before": {"groups": [{"name": "g", "device": "h100", "tokens_per_second": 1000,
                           "utilization": 0.5}]},
    "after": {"groups": [{"name": "g", "utilization": 1.0}]}})");
  const config::DeviceSpec& h100 = *catalog().find_device("h100");
  CHECK(c.find("hourly_cost_usd")->before ==
        doctest::Approx(hourly_cost(h100, 0.5).total_usd_per_hour()));
  // Busier means more power drawn, so the catalog cost is recomputed, not carried over.
  CHECK(c.find("hourly_cost_usd")->after ==
        doctest::Approx(hourly_cost(h100, 1.0).total_usd_per_hour()));
  CHECK_FALSE(c.assumptions.empty());
}

TEST_CASE("an unknown device is reported with a suggestion") {
  config::Issues issues;
  parse(R"({"kind": "fleet", "before": {"groups": [{"name": "g", "device": "h10",
    "tokens_per_second": 1, "utilization": 0.5}]}, "after": {"groups": []}})",
        issues);
  CHECK(issues.to_string().find("before.groups[0].device: unknown device \"h10\" (did you mean "
                                "\"h100\"?)") != std::string::npos);
}

TEST_CASE("a group with neither a device nor an hourly cost is rejected") {
  config::Issues issues;
  parse(R"({"kind": "fleet", "before": {"groups": [{"name": "g", "tokens_per_second": 1,
    "utilization": 0.5}]}, "after": {"groups": []}})",
        issues);
  CHECK(issues.to_string().find("before.groups[0].hourly_cost_usd: is required when the group "
                                "names no device") != std::string::npos);
}

TEST_CASE("a scale that pushes utilisation above one is rejected") {
  config::Issues issues;
  parse(R"({"kind": "fleet", "before": {"groups": [{"name": "g", "hourly_cost_usd": 1,
    "tokens_per_second": 1, "utilization": 0.8}]},
    "after": {"groups": [{"name": "g", "utilization_scale": 1.5}]}})",
        issues);
  CHECK(issues.to_string().find("after.groups[0].utilization_scale: makes utilization 1.2") !=
        std::string::npos);
}

TEST_CASE("an absolute value and a scale for the same figure conflict") {
  config::Issues issues;
  parse(R"({"kind": "fleet", "before": {"groups": [{"name": "g", "hourly_cost_usd": 1,
    "tokens_per_second": 1, "utilization": 0.8}]},
    "after": {"groups": [{"name": "g", "tokens_per_second": 2, "tokens_per_second_scale": 2}]}})",
        issues);
  CHECK(issues.to_string().find("give tokens_per_second or tokens_per_second_scale, not both") !=
        std::string::npos);
}

TEST_CASE("a fleet without devices is rejected instead of dividing by zero") {
  config::Issues issues;
  parse(R"({"kind": "fleet", "before": {"groups": [{"name": "g", "hourly_cost_usd": 1,
    "tokens_per_second": 1, "utilization": 0.8}]},
    "after": {"groups": [{"name": "g", "count": 0}]}})",
        issues);
  CHECK(issues.to_string().find("after.groups: the fleet has no devices") != std::string::npos);
}

}  // namespace
}  // namespace scoville::costmodel
