#include "costmodel/customer_scenario.h"

#include <set>

#include "config/object_reader.h"

namespace scoville::costmodel {
namespace {

using config::Bounds;
using config::ObjectReader;

// A premium tier may cost at most twice the current price.
const Bounds kDiscountBounds = Bounds::between(-1.0, 1.0);

TierShift parse_tier(const nlohmann::json& value, const std::string& path, config::Issues& issues) {
  ObjectReader reader(value, path, issues);
  TierShift tier;
  tier.name = reader.required_string("name");
  tier.traffic_share = reader.required_number("traffic_share", Bounds::share());
  tier.input_discount = reader.number_or("input_discount", kDiscountBounds, 0.0);
  tier.output_discount = reader.number_or("output_discount", kDiscountBounds, 0.0);
  reader.reject_unknown_keys();
  return tier;
}

}  // namespace

CustomerScenario parse_customer_scenario(const nlohmann::json& document, config::Issues& issues) {
  CustomerScenario scenario;
  ObjectReader reader(document, "", issues);
  if (!reader.is_object()) {
    return scenario;
  }
  reader.accept("kind");
  scenario.description = reader.string_or("description", "");
  scenario.monthly_spend_usd = reader.required_number("monthly_spend_usd", Bounds::positive());
  scenario.input_spend_share = reader.required_number("input_spend_share", Bounds::share());

  if (const nlohmann::json* tiers = reader.required_child("tiers")) {
    if (!tiers->is_array()) {
      issues.add("tiers", "must be an array, got " + config::describe_type(*tiers));
    } else {
      for (std::size_t i = 0; i < tiers->size(); ++i) {
        scenario.tiers.push_back(parse_tier((*tiers)[i], config::index_path("tiers", i), issues));
      }
    }
  }
  reader.reject_unknown_keys();

  double moved_share = 0.0;
  std::set<std::string> names;
  for (std::size_t i = 0; i < scenario.tiers.size(); ++i) {
    moved_share += scenario.tiers[i].traffic_share;
    if (!scenario.tiers[i].name.empty() && !names.insert(scenario.tiers[i].name).second) {
      issues.add(config::join_path(config::index_path("tiers", i), "name"),
                 "duplicate tier name \"" + scenario.tiers[i].name + "\"");
    }
  }
  // A little slack for shares written as decimals that do not add up exactly in binary.
  if (moved_share > 1.0 + 1e-9) {
    issues.add("tiers", "traffic shares add up to " + config::format_number(moved_share) +
                            "; together they must not exceed 1");
  }
  return scenario;
}

Comparison evaluate_customer_scenario(const CustomerScenario& scenario) {
  Comparison comparison;
  comparison.kind = "customer";
  comparison.description = scenario.description;

  const double input_before = scenario.monthly_spend_usd * scenario.input_spend_share;
  const double output_before = scenario.monthly_spend_usd - input_before;

  // Traffic that moves keeps its token mix; only the price it pays changes.
  double input_after = input_before;
  double output_after = output_before;
  double moved_share = 0.0;
  std::vector<ComponentChange> tier_rows;
  for (const TierShift& tier : scenario.tiers) {
    const double input_moved = input_before * tier.traffic_share;
    const double output_moved = output_before * tier.traffic_share;
    const double input_saving = input_moved * tier.input_discount;
    const double output_saving = output_moved * tier.output_discount;
    input_after -= input_saving;
    output_after -= output_saving;
    moved_share += tier.traffic_share;
    tier_rows.push_back(ComponentChange{
        .name = "tier_" + tier.name + "_spend_usd_per_month",
        .label = "Spend on tier " + tier.name,
        .unit = "USD/month",
        .before = input_moved + output_moved,
        .after = input_moved + output_moved - input_saving - output_saving,
    });
  }

  const double staying_before = scenario.monthly_spend_usd * (1.0 - moved_share);
  comparison.components.push_back(ComponentChange{.name = "input_spend_usd_per_month",
                                                  .label = "Input token spend",
                                                  .unit = "USD/month",
                                                  .before = input_before,
                                                  .after = input_after});
  comparison.components.push_back(ComponentChange{.name = "output_spend_usd_per_month",
                                                  .label = "Output token spend",
                                                  .unit = "USD/month",
                                                  .before = output_before,
                                                  .after = output_after});
  for (ComponentChange& row : tier_rows) {
    comparison.components.push_back(std::move(row));
  }
  comparison.components.push_back(ComponentChange{.name = "unmoved_spend_usd_per_month",
                                                  .label = "Spend staying on current prices",
                                                  .unit = "USD/month",
                                                  .before = staying_before,
                                                  .after = staying_before});
  comparison.components.push_back(ComponentChange{.name = "total_spend_usd_per_month",
                                                  .label = "Total spend",
                                                  .unit = "USD/month",
                                                  .before = scenario.monthly_spend_usd,
                                                  .after = input_after + output_after});
  comparison.headline = "total_spend_usd_per_month";
  comparison.assumptions.push_back("moved traffic keeps the customer's input/output spend split");
  return comparison;
}

}  // namespace scoville::costmodel
