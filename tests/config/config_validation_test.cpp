#include <doctest/doctest.h>

#include <algorithm>

#include "config/config.h"
#include "config/jsonc.h"

namespace scoville::config {
namespace {

// Builds a config from JSONC text and returns every problem found, one per line.
std::vector<std::string> problems_of(const std::string& text) {
  Result<nlohmann::json> document = parse_jsonc(text, "test");
  REQUIRE_MESSAGE(document.has_value(), (document ? "" : document.error().message));
  Issues issues;
  build_config(*document, issues);
  std::vector<std::string> lines;
  for (const Issue& issue : issues.all()) lines.push_back(issue.to_string());
  return lines;
}

bool contains(const std::vector<std::string>& lines, const std::string& expected) {
  return std::find(lines.begin(), lines.end(), expected) != lines.end();
}

TEST_CASE("an empty config is the built-in catalog and is valid") {
  CHECK(problems_of("{}").empty());
}

TEST_CASE("a zero bandwidth is reported with its JSON path and the rule it breaks") {
  const auto lines = problems_of(R"({"devices": {"h100": {"hbm_bytes_per_second": 0}}})");
  CHECK(contains(lines, "devices.h100.hbm_bytes_per_second: must be > 0, got 0"));
}

TEST_CASE("every problem of a document is reported at once") {
  const auto lines = problems_of(R"({
    "devices": {"h100": {"hbm_bytes_per_second": -1, "tdp_wats": 700}},
    "models": {"tiny": {"num_layers": 2}},
    "backends": [{"name": "a", "url": "http://127.0.0.1:80", "model": "llama-3.1-8b",
                  "device": "h10"}]
  })");
  CHECK(contains(lines, "devices.h100.hbm_bytes_per_second: must be > 0, got -1"));
  CHECK(contains(lines, "devices.h100.tdp_wats: unknown key (did you mean \"tdp_watts\"?)"));
  CHECK(contains(lines, "models.tiny.hidden_size: is required"));
  CHECK(contains(lines, "backends[0].device: unknown device \"h10\" (did you mean \"h100\"?)"));
  CHECK(lines.size() >= 8);
}

TEST_CASE("unknown top-level keys are errors with a suggestion") {
  CHECK(contains(problems_of(R"({"device": {}})"),
                 "device: unknown key (did you mean \"devices\"?)"));
}

TEST_CASE("a wrong type names what was expected and what was found") {
  CHECK(contains(problems_of(R"({"devices": {"h100": {"tdp_watts": "700"}}})"),
                 "devices.h100.tdp_watts: must be > 0, got a string"));
  CHECK(contains(problems_of(R"({"backends": {}})"), "backends: must be an array, got an object"));
}

TEST_CASE("a user override keeps the rest of the built-in entry") {
  Result<nlohmann::json> document =
      parse_jsonc(R"({"devices": {"h100": {"cost": {"capex_usd": 20000}}}})", "test");
  Issues issues;
  const Config config = build_config(*document, issues);
  REQUIRE(issues.empty());
  const DeviceSpec& h100 = *config.find_device("h100");
  CHECK(h100.cost.capex_usd == 20000);
  CHECK(h100.hbm_bytes_per_second == doctest::Approx(3.35e12));
  CHECK(h100.cost.pue == doctest::Approx(1.3));
}

TEST_CASE("a figure the user sets stops being marked as an assumption") {
  Result<nlohmann::json> document =
      parse_jsonc(R"({"devices": {"jalapeno": {"hbm_bytes_per_second": 7e12}}})", "test");
  Issues issues;
  const Config config = build_config(*document, issues);
  REQUIRE(issues.empty());
  const DeviceSpec& jalapeno = *config.find_device("jalapeno");
  CHECK_FALSE(jalapeno.is_assumed("hbm_bytes_per_second"));
  CHECK(jalapeno.is_assumed("hbm_capacity_bytes"));
}

TEST_CASE("a new device must be complete") {
  const auto lines = problems_of(R"({"devices": {"mychip": {"hbm_capacity_bytes": 1e9}}})");
  CHECK(contains(lines, "devices.mychip.hbm_bytes_per_second: is required"));
  CHECK(contains(lines, "devices.mychip.dense_flops_per_second: is required"));
  CHECK(contains(lines, "devices.mychip.cost: is required"));
}

TEST_CASE("an assumed field must name a real device field") {
  CHECK(contains(problems_of(R"({"devices": {"h100": {"assumed": ["tdp_watt"]}}})"),
                 "devices.h100.assumed[0]: unknown device field \"tdp_watt\" (did you mean "
                 "\"tdp_watts\"?)"));
}

TEST_CASE("model shapes must be consistent") {
  const auto lines = problems_of(R"({"models": {"odd": {"num_layers": 2, "hidden_size": 100,
    "num_attention_heads": 3, "num_kv_heads": 2, "intermediate_size": 10, "vocab_size": 10,
    "max_context_tokens": 10}}})");
  CHECK(contains(lines, "models.odd.num_attention_heads: must divide hidden_size (100)"));
  CHECK(contains(lines, "models.odd.num_kv_heads: must divide num_attention_heads (3)"));
}

TEST_CASE("backend URLs must name a host and a port") {
  const auto lines = problems_of(R"({"backends": [
    {"name": "a", "url": "https://x:1", "model": "llama-3.1-8b", "device": "h100"},
    {"name": "b", "url": "http://x", "model": "llama-3.1-8b", "device": "h100"},
    {"name": "c", "url": "http://x:99999", "model": "llama-3.1-8b", "device": "h100"}]})");
  CHECK(contains(lines, "backends[0].url: must start with http://, got \"https://x:1\""));
  CHECK(contains(lines,
                 "backends[1].url: must name a host and a port, as in http://127.0.0.1:8001, "
                 "got \"http://x\""));
  CHECK(contains(lines, "backends[2].url: has an invalid port \"99999\", got \"http://x:99999\""));
}

TEST_CASE("backend names are unique and classes must exist") {
  const auto lines = problems_of(R"({"backends": [
    {"name": "a", "url": "http://x:1", "model": "llama-3.1-8b", "device": "h100",
     "compute_class": "eficient"},
    {"name": "a", "url": "http://x:2", "model": "llama-3.1-8b", "device": "h100"}]})");
  CHECK(contains(lines,
                 "backends[0].compute_class: unknown compute class \"eficient\" (did you "
                 "mean \"efficient\"?)"));
  CHECK(contains(lines, "backends[1].name: duplicate backend name \"a\""));
}

TEST_CASE("a compute class cannot fall back to itself or to an unknown class") {
  const auto lines = problems_of(R"({"compute_classes": {
    "standard": {"fallback_classes": ["standard"]},
    "batch": {"ttft_slo_seconds": 60, "tpot_slo_seconds": 1, "fallback_classes": ["nope"]}}})");
  CHECK(contains(lines,
                 "compute_classes.standard.fallback_classes[0]: a class cannot fall back "
                 "to itself"));
  CHECK(
      contains(lines, "compute_classes.batch.fallback_classes[0]: unknown compute class \"nope\""));
}

TEST_CASE("price entries need list prices or a cost basis with a margin") {
  const auto lines = problems_of(R"({"prices": {"entries": [
    {"model": "llama-3.1-8b", "compute_class": "standard"},
    {"model": "llama-3.1-8b", "compute_class": "efficient", "input_usd_per_mtok": -1,
     "output_usd_per_mtok": 1},
    {"model": "llama-3.1-8b", "compute_class": "low_latency", "gross_margin": 0.5}]}})");
  CHECK(contains(lines,
                 "prices.entries[0]: must give list prices (input_usd_per_mtok, "
                 "output_usd_per_mtok) or a cost_basis with a gross_margin"));
  CHECK(contains(lines, "prices.entries[1].input_usd_per_mtok: must be >= 0, got -1"));
  CHECK(contains(lines, "prices.entries[2].gross_margin: needs a cost_basis to apply to"));
}

TEST_CASE("the shipped example config is valid") {
  const Issues issues =
      check_config_file(std::string(SCOVILLE_SOURCE_DIR) + "/examples/config.jsonc");
  CHECK_MESSAGE(issues.empty(), issues.to_string());
}

TEST_CASE("load_config lists every problem in one error") {
  Result<nlohmann::json> document = parse_jsonc(R"({"device": 1, "models": 2})", "x");
  Issues issues;
  build_config(*document, issues);
  const std::string text = describe_issues("x.jsonc", issues);
  CHECK(text.rfind("x.jsonc: 2 problems\n  ", 0) == 0);
}

}  // namespace
}  // namespace scoville::config
