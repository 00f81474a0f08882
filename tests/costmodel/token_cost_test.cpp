#include <doctest/doctest.h>

#include "costmodel/token_cost.h"

namespace scoville::costmodel {
namespace {

TEST_CASE("cost per million tokens is C over T x 3600 x U, times a million") {
  const TokenCost cost = token_cost(3.6, {.tokens_per_second = 1000, .utilization = 0.5});
  // 3.6 USD / (1000 x 3600 x 0.5) tokens x 1e6 = 2 USD per million.
  CHECK(cost.blended_usd_per_mtok == doctest::Approx(2.0));
  CHECK(cost.tokens_per_hour == doctest::Approx(1.8e6));
}

TEST_CASE("input and output prices follow the share of device time prefill and decode take") {
  const TokenCost cost = token_cost(3.6, {.tokens_per_second = 1000,
                                          .utilization = 0.5,
                                          .input_token_share = 0.8,
                                          .prefill_time_share = 0.2});
  // Input: 20% of the cost over 80% of the tokens; output: 80% over 20%.
  CHECK(cost.input_usd_per_mtok == doctest::Approx(2.0 * 0.2 / 0.8));
  CHECK(cost.output_usd_per_mtok == doctest::Approx(2.0 * 0.8 / 0.2));
  // The token-weighted mean of the split prices is the blended price.
  CHECK(0.8 * cost.input_usd_per_mtok + 0.2 * cost.output_usd_per_mtok ==
        doctest::Approx(cost.blended_usd_per_mtok));
}

TEST_CASE("the seed's device deltas cut the cost per million tokens by about 41 percent") {
  const TokenCost before = token_cost(4.0, {.tokens_per_second = 1000, .utilization = 0.75});
  const TokenCost after = token_cost(4.0 * 0.85, {.tokens_per_second = 1350, .utilization = 0.80});
  const double reduction = 1.0 - after.blended_usd_per_mtok / before.blended_usd_per_mtok;
  CHECK(reduction == doctest::Approx(1.0 - 0.85 / (1.35 * 0.80 / 0.75)));
  CHECK(reduction == doctest::Approx(0.41).epsilon(0.01));
}

TEST_CASE("a workload without input tokens puts the whole cost on output") {
  const TokenCost cost = token_cost(3.6, {.tokens_per_second = 1000,
                                          .utilization = 1.0,
                                          .input_token_share = 0.0,
                                          .prefill_time_share = 0.0});
  CHECK(cost.input_usd_per_mtok == 0.0);
  CHECK(cost.output_usd_per_mtok == doctest::Approx(cost.blended_usd_per_mtok));
}

}  // namespace
}  // namespace scoville::costmodel
