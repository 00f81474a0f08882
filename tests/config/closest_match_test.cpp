#include <doctest/doctest.h>

#include "config/closest_match.h"

namespace scoville::config {
namespace {

TEST_CASE("a one-letter typo finds the intended key") {
  const std::vector<std::string> keys = {"hbm_capacity_bytes", "hbm_bytes_per_second", "tdp_watts"};
  CHECK(closest_match("hbm_byte_per_second", keys) == "hbm_bytes_per_second");
  CHECK(closest_match("tpd_watts", keys) == "tdp_watts");
  CHECK(closest_match("TDP_WATTS", keys) == "tdp_watts");
}

TEST_CASE("a word unlike every candidate gets no suggestion") {
  const std::vector<std::string> keys = {"pue", "capex_usd"};
  CHECK_FALSE(closest_match("tp", keys).has_value());
  CHECK_FALSE(closest_match("rental", keys).has_value());
  CHECK(did_you_mean("rental", keys).empty());
}

TEST_CASE("the hint names the suggestion in quotes") {
  CHECK(did_you_mean("h10", {"h100", "h200", "b200"}) == " (did you mean \"h100\"?)");
}

}  // namespace
}  // namespace scoville::config
