#include "config/price_book_spec.h"

#include <algorithm>

#include "config/object_reader.h"

namespace scoville::config {
namespace {

std::optional<CostBasisSpec> parse_cost_basis(const nlohmann::json& value, const std::string& path,
                                              Issues& issues) {
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return std::nullopt;
  }
  CostBasisSpec basis;
  basis.device = reader.required_string("device");
  basis.throughput = read_throughput_fields(reader);
  reader.reject_unknown_keys();
  return basis;
}

PriceEntrySpec parse_entry(const nlohmann::json& value, const std::string& path, Issues& issues) {
  PriceEntrySpec entry;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return entry;
  }

  entry.model = reader.required_string("model");
  entry.compute_class = reader.required_string("compute_class");
  entry.input_usd_per_mtok = reader.optional_number("input_usd_per_mtok", Bounds::non_negative());
  entry.output_usd_per_mtok = reader.optional_number("output_usd_per_mtok", Bounds::non_negative());
  if (const nlohmann::json* basis = reader.optional_child("cost_basis")) {
    entry.cost_basis = parse_cost_basis(*basis, reader.path_of("cost_basis"), issues);
  }
  entry.gross_margin = reader.optional_number(
      "gross_margin", Bounds{.min = 0.0, .max = 1.0, .max_inclusive = false});
  entry.discount = reader.number_or("discount", Bounds::share(), 0.0);
  reader.reject_unknown_keys();

  const bool has_input = reader.has("input_usd_per_mtok");
  const bool has_output = reader.has("output_usd_per_mtok");
  if (has_input != has_output) {
    issues.add(path, "must give both input_usd_per_mtok and output_usd_per_mtok, or neither");
  }
  if (!has_input && !has_output && !(reader.has("cost_basis") && reader.has("gross_margin"))) {
    issues.add(path,
               "must give list prices (input_usd_per_mtok, output_usd_per_mtok) or a "
               "cost_basis with a gross_margin");
  }
  if (reader.has("gross_margin") && !reader.has("cost_basis")) {
    issues.add(reader.path_of("gross_margin"), "needs a cost_basis to apply to");
  }
  return entry;
}

VolumeDiscountSpec parse_volume_discount(const nlohmann::json& value, const std::string& path,
                                         Issues& issues) {
  VolumeDiscountSpec tier;
  ObjectReader reader(value, path, issues);
  tier.min_monthly_spend_usd =
      reader.required_number("min_monthly_spend_usd", Bounds::non_negative());
  tier.discount = reader.required_number("discount", Bounds::share());
  reader.reject_unknown_keys();
  return tier;
}

}  // namespace

PriceBookSpec parse_price_book_spec(const nlohmann::json& value, const std::string& path,
                                    Issues& issues) {
  PriceBookSpec book;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return book;
  }

  reader.for_each_element("entries", /*required=*/true,
                          [&](const nlohmann::json& entry, const std::string& entry_path) {
                            book.entries.push_back(parse_entry(entry, entry_path, issues));
                          });
  reader.for_each_element(
      "volume_discounts", /*required=*/false,
      [&](const nlohmann::json& tier, const std::string& tier_path) {
        book.volume_discounts.push_back(parse_volume_discount(tier, tier_path, issues));
      });
  reader.reject_unknown_keys();

  std::sort(book.volume_discounts.begin(), book.volume_discounts.end(),
            [](const VolumeDiscountSpec& a, const VolumeDiscountSpec& b) {
              return a.min_monthly_spend_usd < b.min_monthly_spend_usd;
            });
  return book;
}

}  // namespace scoville::config
