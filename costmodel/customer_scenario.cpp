#include "costmodel/customer_scenario.h"

#include <set>

#include <fmt/format.h>

#include "config/object_reader.h"

namespace scoville::costmodel {
namespace {

using config::Bounds;
using config::ObjectReader;

// A premium tier may cost at most twice the current price.
const Bounds kDiscountBounds = Bounds::between(-1.0, 1.0);

// The discount of moving from one quoted price to another: 1 - new / old.
std::optional<double> discount_between(double current_usd_per_mtok, double tier_usd_per_mtok) {
  if (current_usd_per_mtok <= 0.0) {
    return std::nullopt;
  }
  return 1.0 - tier_usd_per_mtok / current_usd_per_mtok;
}

// Fills a tier's discounts from the price book, recording why when it cannot.
void price_tier_from_book(ObjectReader& reader, const CustomerScenario& scenario,
                          const PriceBook* prices, TierShift& tier) {
  if (prices == nullptr) {
    reader.add_issue("compute_class",
                     "needs a price book: pass --config with a \"prices\" section");
    return;
  }
  if (scenario.model.empty()) {
    reader.add_issue("compute_class", "needs the scenario's \"model\" to look prices up");
    return;
  }
  const PriceQuote* current = prices->find(scenario.model, scenario.current_compute_class);
  const PriceQuote* target = prices->find(scenario.model, tier.compute_class);
  if (current == nullptr || target == nullptr) {
    const std::string& missing =
        current == nullptr ? scenario.current_compute_class : tier.compute_class;
    reader.add_issue("compute_class", "the price book has no price for model \"" + scenario.model +
                                          "\" in class \"" + missing + "\"");
    return;
  }
  const std::optional<double> input =
      discount_between(current->input_usd_per_mtok, target->input_usd_per_mtok);
  const std::optional<double> output =
      discount_between(current->output_usd_per_mtok, target->output_usd_per_mtok);
  if (!input || !output) {
    reader.add_issue("compute_class", "the current class \"" + scenario.current_compute_class +
                                          "\" has a zero price to compare with");
    return;
  }
  tier.input_discount = *input;
  tier.output_discount = *output;
}

TierShift parse_tier(const nlohmann::json& value, const std::string& path,
                     const CustomerScenario& scenario, const PriceBook* prices,
                     config::Issues& issues) {
  ObjectReader reader(value, path, issues);
  TierShift tier;
  tier.name = reader.required_string("name");
  tier.traffic_share = reader.required_number("traffic_share", Bounds::share());
  tier.compute_class = reader.string_or("compute_class", "");
  tier.input_discount = reader.number_or("input_discount", kDiscountBounds, 0.0);
  tier.output_discount = reader.number_or("output_discount", kDiscountBounds, 0.0);
  if (!tier.compute_class.empty()) {
    if (reader.has("input_discount") || reader.has("output_discount")) {
      reader.add_issue("compute_class", "give a compute_class or discounts, not both");
    } else if (reader.is_object()) {
      price_tier_from_book(reader, scenario, prices, tier);
    }
  }
  reader.reject_unknown_keys();
  return tier;
}

}  // namespace

CustomerScenario parse_customer_scenario(const nlohmann::json& document, const PriceBook* prices,
                                         config::Issues& issues) {
  CustomerScenario scenario;
  ObjectReader reader(document, "", issues);
  if (!reader.is_object()) {
    return scenario;
  }
  reader.accept("kind");
  scenario.description = reader.string_or("description", "");
  scenario.monthly_spend_usd = reader.required_number("monthly_spend_usd", Bounds::positive());
  scenario.input_spend_share = reader.required_number("input_spend_share", Bounds::share());
  scenario.model = reader.string_or("model", "");
  scenario.current_compute_class = reader.string_or("current_compute_class", "standard");

  reader.for_each_element(
      "tiers", /*required=*/true, [&](const nlohmann::json& tier, const std::string& tier_path) {
        scenario.tiers.push_back(parse_tier(tier, tier_path, scenario, prices, issues));
      });
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
  comparison.add("input_spend_usd_per_month", "Input token spend", "USD/month", input_before,
                 input_after);
  comparison.add("output_spend_usd_per_month", "Output token spend", "USD/month", output_before,
                 output_after);
  for (ComponentChange& row : tier_rows) {
    comparison.components.push_back(std::move(row));
  }
  comparison.add("unmoved_spend_usd_per_month", "Spend staying on current prices", "USD/month",
                 staying_before, staying_before);
  comparison.add("total_spend_usd_per_month", "Total spend", "USD/month",
                 scenario.monthly_spend_usd, input_after + output_after);
  comparison.headline = "total_spend_usd_per_month";
  comparison.assumptions.push_back("moved traffic keeps the customer's input/output spend split");
  for (const TierShift& tier : scenario.tiers) {
    if (tier.compute_class.empty()) continue;
    comparison.assumptions.push_back(
        "tier " + tier.name + " is priced from the price book: " + scenario.model + " in class " +
        tier.compute_class + " against " + scenario.current_compute_class +
        fmt::format(" ({:.2f}% off input, {:.2f}% off output)", tier.input_discount * 100.0,
                    tier.output_discount * 100.0));
  }
  return comparison;
}

}  // namespace scoville::costmodel
