#include <doctest/doctest.h>

#include "config/jsonc.h"
#include "costmodel/sweep.h"

namespace scoville::costmodel {
namespace {

ScenarioInput seed_customer() {
  Result<nlohmann::json> document = config::parse_jsonc(R"({
    "kind": "customer", "monthly_spend_usd": 600000, "input_spend_share": 0.4,
    "tiers": [{"name": "efficient", "traffic_share": 0.7, "input_discount": 0.2,
               "output_discount": 0.35}]})",
                                                        "seed");
  REQUIRE(document.has_value());
  return ScenarioInput{*document, "seed", {}};
}

const config::Config& catalog() {
  static const config::Config config = *config::builtin_config();
  return config;
}

TEST_CASE("a sweep axis lists every value from start to stop inclusive") {
  Result<SweepAxis> axis = parse_sweep_axis("tiers[0].traffic_share=0:1:0.1");
  REQUIRE(axis.has_value());
  CHECK(axis->path == "tiers[0].traffic_share");
  REQUIRE(axis->values.size() == 11);
  CHECK(axis->values[3] == 0.3);  // exactly, not 0.30000000000000004
  CHECK(axis->values.back() == 1.0);
}

TEST_CASE("a descending sweep takes a negative step") {
  Result<SweepAxis> axis = parse_sweep_axis("x=1:0:-0.5");
  REQUIRE(axis.has_value());
  CHECK(axis->values == std::vector<double>{1.0, 0.5, 0.0});
}

TEST_CASE("malformed sweep specifications are rejected with the reason") {
  CHECK(parse_sweep_axis("x").error().message.find("expected PATH=START:STOP:STEP") !=
        std::string::npos);
  CHECK(parse_sweep_axis("x=0:1").error().message.find("START:STOP:STEP") != std::string::npos);
  CHECK(parse_sweep_axis("x=0:1:0").error().message.find("STEP must not be 0") !=
        std::string::npos);
  CHECK(parse_sweep_axis("x=0:1:-1").error().message.find("never reaches STOP") !=
        std::string::npos);
  CHECK(parse_sweep_axis("x=a:1:1").error().message.find("must be numbers") != std::string::npos);
  CHECK(parse_sweep_axis("x=0:1e9:1").error().message.find("at most") != std::string::npos);
}

TEST_CASE("sweeping the moved traffic share scales the saving linearly") {
  Result<SweepResult> sweep =
      run_sweep(seed_customer(), catalog(), {*parse_sweep_axis("tiers[0].traffic_share=0:1:0.5")});
  REQUIRE(sweep.has_value());
  REQUIRE(sweep->points.size() == 3);
  // Each unit of moved share saves 0.6 x 0.35 + 0.4 x 0.2 = 29% of spend.
  CHECK(*sweep->points[0].comparison.headline_component().relative_change() == doctest::Approx(0));
  CHECK(*sweep->points[1].comparison.headline_component().relative_change() ==
        doctest::Approx(-0.145));
  CHECK(*sweep->points[2].comparison.headline_component().relative_change() ==
        doctest::Approx(-0.29));
}

TEST_CASE("two axes span a grid with the first axis varying slowest") {
  Result<SweepResult> sweep = run_sweep(seed_customer(), catalog(),
                                        {*parse_sweep_axis("tiers[0].traffic_share=0.5:1:0.5"),
                                         *parse_sweep_axis("tiers[0].output_discount=0:0.3:0.1")});
  REQUIRE(sweep.has_value());
  REQUIRE(sweep->points.size() == 8);
  CHECK(sweep->points[5].coordinates == std::vector<double>{1.0, 0.1});
}

TEST_CASE("a sweep that reaches an invalid value names the point and the rule") {
  Result<SweepResult> sweep = run_sweep(seed_customer(), catalog(),
                                        {*parse_sweep_axis("tiers[0].traffic_share=0.5:1.5:0.5")});
  REQUIRE_FALSE(sweep.has_value());
  const std::string& message = sweep.error().message;
  CHECK(message.find("--sweep at tiers[0].traffic_share=1.5") != std::string::npos);
  CHECK(message.find("must be a number between 0 and 1, got 1.5 (set on the command line)") !=
        std::string::npos);
}

TEST_CASE("a sweep over a path that does not exist fails before evaluating") {
  Result<SweepResult> sweep =
      run_sweep(seed_customer(), catalog(), {*parse_sweep_axis("teirs[0].traffic_share=0:1:1")});
  REQUIRE_FALSE(sweep.has_value());
  CHECK(sweep.error().message.find("did you mean \"tiers\"") != std::string::npos);
}

}  // namespace
}  // namespace scoville::costmodel
