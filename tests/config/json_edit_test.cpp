#include <doctest/doctest.h>

#include "config/json_edit.h"

namespace scoville::config {
namespace {

nlohmann::json sample() {
  return nlohmann::json::parse(
      R"({"tiers": [{"name": "e", "traffic_share": 0.7}], "a": {"b": 1}})");
}

TEST_CASE("a path with keys and indices sets the value it names") {
  nlohmann::json document = sample();
  REQUIRE(set_json_path(document, "tiers[0].traffic_share", 0.5).has_value());
  CHECK(document["tiers"][0]["traffic_share"] == 0.5);
  REQUIRE(set_json_path(document, "a.b", "text").has_value());
  CHECK(document["a"]["b"] == "text");
}

TEST_CASE("the last key of a path may be new so that optional fields can be set") {
  nlohmann::json document = sample();
  REQUIRE(set_json_path(document, "tiers[0].input_discount", 0.2).has_value());
  CHECK(document["tiers"][0]["input_discount"] == 0.2);
}

TEST_CASE("a missing intermediate key fails naming it with a suggestion") {
  nlohmann::json document = sample();
  Result<void> set = set_json_path(document, "teirs[0].traffic_share", 0.5);
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().message == "teirs: unknown key (did you mean \"tiers\"?)");
}

TEST_CASE("an index past the end of an array fails naming the array size") {
  nlohmann::json document = sample();
  Result<void> set = set_json_path(document, "tiers[3].traffic_share", 0.5);
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().message.find("tiers[3]: index out of range (the array has 1 elements)") !=
        std::string::npos);
}

TEST_CASE("malformed paths are rejected") {
  nlohmann::json document = sample();
  CHECK_FALSE(set_json_path(document, "", 1).has_value());
  CHECK_FALSE(set_json_path(document, "a.", 1).has_value());
  CHECK_FALSE(set_json_path(document, "tiers[x]", 1).has_value());
  CHECK_FALSE(set_json_path(document, "tiers[0", 1).has_value());
  CHECK_FALSE(set_json_path(document, "a..b", 1).has_value());
}

TEST_CASE("command-line values are JSON when they parse and strings otherwise") {
  CHECK(parse_cli_value("0.8") == 0.8);
  CHECK(parse_cli_value("true") == true);
  CHECK(parse_cli_value("h100") == "h100");
  CHECK(parse_cli_value("\"quoted\"") == "quoted");
  CHECK(parse_cli_value("[1,2]").is_array());
}

}  // namespace
}  // namespace scoville::config
