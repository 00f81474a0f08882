#include "costmodel/price_book.h"

#include "costmodel/hourly_cost.h"

namespace scoville::costmodel {
namespace {

std::optional<double> gross_margin(double price, double cost) {
  if (price <= 0.0) {
    return std::nullopt;
  }
  return (price - cost) / price;
}

PriceQuote resolve(const config::PriceEntrySpec& entry, const config::Config& config) {
  PriceQuote quote;
  quote.model = entry.model;
  quote.compute_class = entry.compute_class;
  quote.discount = entry.discount;

  if (entry.cost_basis) {
    const config::DeviceSpec* device = config.find_device(entry.cost_basis->device);
    if (device != nullptr) {
      const config::ThroughputSpec& t = entry.cost_basis->throughput;
      quote.cost_device = device->id;
      quote.cost = token_cost(hourly_cost(*device, t.utilization).total_usd_per_hour(), t);
    }
  }

  if (entry.input_usd_per_mtok && entry.output_usd_per_mtok) {
    quote.list_input_usd_per_mtok = *entry.input_usd_per_mtok;
    quote.list_output_usd_per_mtok = *entry.output_usd_per_mtok;
  } else if (quote.cost && entry.gross_margin) {
    // A gross margin m on cost c gives the price p with (p - c) / p = m.
    quote.priced_from_cost = true;
    quote.list_input_usd_per_mtok = quote.cost->input_usd_per_mtok / (1.0 - *entry.gross_margin);
    quote.list_output_usd_per_mtok = quote.cost->output_usd_per_mtok / (1.0 - *entry.gross_margin);
  }

  quote.input_usd_per_mtok = quote.list_input_usd_per_mtok * (1.0 - quote.discount);
  quote.output_usd_per_mtok = quote.list_output_usd_per_mtok * (1.0 - quote.discount);
  if (quote.cost) {
    quote.input_gross_margin =
        gross_margin(quote.input_usd_per_mtok, quote.cost->input_usd_per_mtok);
    quote.output_gross_margin =
        gross_margin(quote.output_usd_per_mtok, quote.cost->output_usd_per_mtok);
  }
  return quote;
}

}  // namespace

PriceBook::PriceBook(const config::PriceBookSpec& spec, const config::Config& config)
    : tiers_(spec.volume_discounts) {
  for (const config::PriceEntrySpec& entry : spec.entries) {
    quotes_.push_back(resolve(entry, config));
  }
}

const PriceQuote* PriceBook::find(std::string_view model, std::string_view compute_class) const {
  for (const PriceQuote& quote : quotes_) {
    if (quote.model == model && quote.compute_class == compute_class) {
      return &quote;
    }
  }
  return nullptr;
}

double PriceBook::volume_discount(double monthly_spend_usd) const {
  double discount = 0.0;
  for (const config::VolumeDiscountSpec& tier : tiers_) {
    if (monthly_spend_usd >= tier.min_monthly_spend_usd) {
      discount = tier.discount;
    }
  }
  return discount;
}

}  // namespace scoville::costmodel
