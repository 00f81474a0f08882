#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/price_book_spec.h"
#include "costmodel/token_cost.h"

namespace scoville::costmodel {

// The price of one model in one compute class, with what it costs to serve when the book
// knows the cost basis, and the gross margin that leaves.
struct PriceQuote {
  std::string model;
  std::string compute_class;
  double list_input_usd_per_mtok = 0.0;
  double list_output_usd_per_mtok = 0.0;
  double discount = 0.0;            // standing discount off list
  double input_usd_per_mtok = 0.0;  // list less the standing discount
  double output_usd_per_mtok = 0.0;
  bool priced_from_cost = false;  // list prices follow from cost and a target margin
  std::optional<std::string> cost_device;
  std::optional<TokenCost> cost;
  // (price - cost) / price at the discounted price; absent without a cost basis.
  std::optional<double> input_gross_margin;
  std::optional<double> output_gross_margin;
};

// A validated price book: quotes per model and class, and volume discounts by monthly spend.
class PriceBook {
 public:
  // Resolves every entry of `spec`; cost bases use `config`'s device catalog. The spec has
  // already been validated against that config, so every name resolves.
  PriceBook(const config::PriceBookSpec& spec, const config::Config& config);

  const std::vector<PriceQuote>& quotes() const { return quotes_; }
  const std::vector<config::VolumeDiscountSpec>& volume_discounts() const { return tiers_; }

  const PriceQuote* find(std::string_view model, std::string_view compute_class) const;

  // The discount of the highest volume tier a monthly spend (at discounted prices) reaches.
  double volume_discount(double monthly_spend_usd) const;

 private:
  std::vector<PriceQuote> quotes_;
  std::vector<config::VolumeDiscountSpec> tiers_;  // ascending by min_monthly_spend_usd
};

}  // namespace scoville::costmodel
