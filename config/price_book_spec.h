#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/throughput_spec.h"

namespace scoville::config {

// The device and throughput a price's cost is computed from.
struct CostBasisSpec {
  std::string device;
  ThroughputSpec throughput;
};

// The list price of one model in one compute class. Either explicit prices, or a cost basis
// and a gross margin from which prices follow (price = cost / (1 - margin)); with both, the
// explicit prices stand and the margin they imply is reported.
struct PriceEntrySpec {
  std::string model;
  std::string compute_class;
  std::optional<double> input_usd_per_mtok;
  std::optional<double> output_usd_per_mtok;
  std::optional<CostBasisSpec> cost_basis;
  std::optional<double> gross_margin;
  double discount = 0.0;  // a standing discount off list, e.g. a launch promotion
};

// A discount that applies to all of a customer's spend once a month's spend reaches a level.
struct VolumeDiscountSpec {
  double min_monthly_spend_usd = 0.0;
  double discount = 0.0;
};

struct PriceBookSpec {
  std::vector<PriceEntrySpec> entries;
  std::vector<VolumeDiscountSpec> volume_discounts;  // sorted by min_monthly_spend_usd
};

// Reads the "prices" document at `path`; model, class and device names are checked later.
PriceBookSpec parse_price_book_spec(const nlohmann::json& value, const std::string& path,
                                    Issues& issues);

}  // namespace scoville::config
