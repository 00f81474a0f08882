#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "costmodel/comparison.h"
#include "costmodel/price_book.h"

namespace scoville::costmodel {

// A share of a customer's traffic that moves to a cheaper (or, with a negative discount,
// dearer) tier.
struct TierShift {
  std::string name;
  std::string compute_class;    // when set, the discounts come from the price book
  double traffic_share = 0.0;   // of all traffic, 0..1
  double input_discount = 0.0;  // off the current input price; negative is a premium
  double output_discount = 0.0;
};

// A customer's monthly spend and the tiers part of it could move to.
struct CustomerScenario {
  std::string description;
  std::string model;  // needed only for tiers priced from the price book
  std::string current_compute_class = "standard";
  double monthly_spend_usd = 0.0;
  double input_spend_share = 0.0;  // share of spend on input tokens
  std::vector<TierShift> tiers;
};

// Reads a scenario document of kind "customer"; problems go to `issues` with their paths. A
// tier that names a compute_class takes its discounts from `prices` (the model's price in that
// class against its price in the current class); `prices` may be null when no tier does.
CustomerScenario parse_customer_scenario(const nlohmann::json& document, const PriceBook* prices,
                                         config::Issues& issues);

// Spend before and after the shift, by input, output, tier and in total.
Comparison evaluate_customer_scenario(const CustomerScenario& scenario);

}  // namespace scoville::costmodel
