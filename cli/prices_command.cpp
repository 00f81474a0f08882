#include "cli/prices_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_status.h"
#include "cli/number_format.h"
#include "cli/output_format.h"
#include "cli/text_table.h"
#include "config/config.h"
#include "costmodel/price_book.h"

namespace scoville::cli {
namespace {

struct PricesOptions {
  std::string config_path;
  std::optional<double> monthly_spend_usd;
  OutputFormat format = OutputFormat::kTable;
};

std::string money(std::optional<double> value) {
  return value ? with_thousands(*value, 4) : std::string("-");
}

std::string margin(std::optional<double> value) {
  return value ? format_share(*value) : std::string("-");
}

nlohmann::json optional_json(std::optional<double> value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const costmodel::PriceBook& book,
                       const std::optional<double>& monthly_spend_usd) {
  nlohmann::json quotes = nlohmann::json::array();
  for (const costmodel::PriceQuote& q : book.quotes()) {
    nlohmann::json entry = {{"model", q.model},
                            {"compute_class", q.compute_class},
                            {"list_input_usd_per_mtok", q.list_input_usd_per_mtok},
                            {"list_output_usd_per_mtok", q.list_output_usd_per_mtok},
                            {"discount", q.discount},
                            {"input_usd_per_mtok", q.input_usd_per_mtok},
                            {"output_usd_per_mtok", q.output_usd_per_mtok},
                            {"priced_from_cost", q.priced_from_cost},
                            {"input_gross_margin", optional_json(q.input_gross_margin)},
                            {"output_gross_margin", optional_json(q.output_gross_margin)}};
    if (q.cost) {
      entry["cost"] = {{"device", *q.cost_device},
                       {"input_usd_per_mtok", q.cost->input_usd_per_mtok},
                       {"output_usd_per_mtok", q.cost->output_usd_per_mtok},
                       {"blended_usd_per_mtok", q.cost->blended_usd_per_mtok}};
    }
    quotes.push_back(entry);
  }
  nlohmann::json tiers = nlohmann::json::array();
  for (const config::VolumeDiscountSpec& t : book.volume_discounts()) {
    tiers.push_back({{"min_monthly_spend_usd", t.min_monthly_spend_usd}, {"discount", t.discount}});
  }
  nlohmann::json out = {{"quotes", quotes}, {"volume_discounts", tiers}};
  if (monthly_spend_usd) {
    out["monthly_spend_usd"] = *monthly_spend_usd;
    out["volume_discount"] = book.volume_discount(*monthly_spend_usd);
  }
  return out;
}

int run_prices(const PricesOptions& options) {
  Result<config::Config> loaded = config::load_config(options.config_path);
  if (!loaded) {
    std::cerr << "scoville prices: " << loaded.error().message << "\n";
    return kExitInputError;
  }
  if (!loaded->prices) {
    std::cerr << "scoville prices: " << options.config_path
              << " has no \"prices\" section to show\n";
    return kExitInputError;
  }
  const costmodel::PriceBook book(*loaded->prices, *loaded);

  if (options.format == OutputFormat::kJson) {
    std::cout << to_json_text(to_json(book, options.monthly_spend_usd));
    return kExitOk;
  }

  TextTable table({"model", "class", "list in", "list out", "discount", "net in", "net out",
                   "cost in", "cost out", "margin in", "margin out", "cost basis"});
  for (const costmodel::PriceQuote& q : book.quotes()) {
    const bool has_cost = q.cost.has_value();
    table.add_row({q.model, q.compute_class, money(q.list_input_usd_per_mtok),
                   money(q.list_output_usd_per_mtok), margin(q.discount),
                   money(q.input_usd_per_mtok), money(q.output_usd_per_mtok),
                   money(has_cost ? std::optional(q.cost->input_usd_per_mtok) : std::nullopt),
                   money(has_cost ? std::optional(q.cost->output_usd_per_mtok) : std::nullopt),
                   margin(q.input_gross_margin), margin(q.output_gross_margin),
                   q.cost_device ? *q.cost_device + (q.priced_from_cost ? " (cost-plus)" : "")
                                 : std::string("-")});
  }
  if (options.format == OutputFormat::kCsv) {
    std::cout << table.to_csv();
    return kExitOk;
  }

  std::cout << "Prices in USD per million tokens\n\n" << table.to_text();
  if (!book.volume_discounts().empty()) {
    std::cout << "\nVolume discounts on monthly spend:\n";
    for (const config::VolumeDiscountSpec& t : book.volume_discounts()) {
      std::cout << "  from " << with_thousands(t.min_monthly_spend_usd, 0)
                << " USD: " << margin(t.discount) << " off\n";
    }
  }
  if (options.monthly_spend_usd) {
    std::cout << "\nA monthly spend of " << with_thousands(*options.monthly_spend_usd, 2)
              << " USD gets " << margin(book.volume_discount(*options.monthly_spend_usd))
              << " off\n";
  }
  return kExitOk;
}

}  // namespace

void add_prices_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<PricesOptions>();
  CLI::App* command = app.add_subcommand(
      "prices", "Show a config's price book: list and net prices, cost to serve and margins");
  command->add_option("--config", options->config_path, "Config file with a \"prices\" section")
      ->required();
  command
      ->add_option("--monthly-spend", options->monthly_spend_usd,
                   "Also show the volume discount this monthly spend (USD) reaches")
      ->check(non_negative_check());
  add_format_option(command, options->format);
  command->callback([options, &exit_code] { exit_code = run_prices(*options); });
}

}  // namespace scoville::cli
