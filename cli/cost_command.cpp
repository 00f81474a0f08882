#include "cli/cost_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_status.h"
#include "cli/number_format.h"
#include "cli/output_format.h"
#include "cli/text_table.h"
#include "config/closest_match.h"
#include "config/config.h"
#include "costmodel/hourly_cost.h"
#include "costmodel/token_cost.h"

namespace scoville::cli {
namespace {

struct CostOptions {
  std::string device;
  std::string config_path;
  double utilization = 0.75;
  std::optional<double> tokens_per_second;
  double input_token_share = 0.5;
  double prefill_time_share = 0.5;
  OutputFormat format = OutputFormat::kTable;
};

struct Term {
  std::string name;
  std::string label;
  double usd_per_hour;
  bool assumed;
};

std::vector<Term> terms_of(const config::DeviceSpec& d, const costmodel::HourlyCost& c) {
  auto assumed = [&](std::initializer_list<const char*> fields) {
    for (const char* field : fields) {
      if (d.is_assumed(field)) return true;
    }
    return false;
  };
  return {
      {"capex", "Capex, amortised", c.capex_usd_per_hour,
       assumed({"cost.capex_usd", "cost.amortization_years", "cost.cost_of_capital_per_year"})},
      {"it_power", "Power (device draw)", c.it_power_usd_per_hour,
       assumed({"tdp_watts", "idle_watts", "cost.electricity_usd_per_kwh"})},
      {"facility_power", "Cooling and power losses (PUE)", c.facility_power_usd_per_hour,
       assumed({"cost.pue", "cost.electricity_usd_per_kwh"})},
      {"operations", "Operations", c.operations_usd_per_hour,
       assumed({"cost.operations_usd_per_hour"})},
      {"hosting", "Hosting", c.hosting_usd_per_hour, assumed({"cost.hosting_usd_per_hour"})},
      {"rental", "Rental", c.rental_usd_per_hour, assumed({"cost.rental_usd_per_hour"})},
  };
}

int run_cost(const CostOptions& options) {
  Result<config::Config> loaded = options.config_path.empty()
                                      ? config::builtin_config()
                                      : config::load_config(options.config_path);
  if (!loaded) {
    std::cerr << "scoville cost: " << loaded.error().message << "\n";
    return kExitInputError;
  }
  const config::DeviceSpec* device = loaded->find_device(options.device);
  if (device == nullptr) {
    std::cerr << "scoville cost: --device: unknown device \"" << options.device << "\""
              << config::did_you_mean(options.device, loaded->device_ids()) << "\n";
    return kExitInputError;
  }

  const costmodel::HourlyCost hourly = costmodel::hourly_cost(*device, options.utilization);
  const std::vector<Term> terms = terms_of(*device, hourly);
  std::optional<costmodel::TokenCost> tokens;
  if (options.tokens_per_second) {
    tokens = costmodel::token_cost(
        hourly.total_usd_per_hour(),
        config::ThroughputSpec{*options.tokens_per_second, options.utilization,
                               options.input_token_share, options.prefill_time_share});
  }

  if (options.format == OutputFormat::kJson) {
    nlohmann::json breakdown = nlohmann::json::object();
    for (const Term& t : terms) {
      breakdown[t.name] = {{"usd_per_hour", t.usd_per_hour}, {"assumed", t.assumed}};
    }
    nlohmann::json out = {{"device", device->id},
                          {"utilization", options.utilization},
                          {"average_power_watts", hourly.average_power_watts},
                          {"hourly_cost_usd", hourly.total_usd_per_hour()},
                          {"breakdown", breakdown}};
    if (tokens) {
      out["tokens_per_second"] = *options.tokens_per_second;
      out["blended_usd_per_mtok"] = tokens->blended_usd_per_mtok;
      out["input_usd_per_mtok"] = tokens->input_usd_per_mtok;
      out["output_usd_per_mtok"] = tokens->output_usd_per_mtok;
    }
    std::cout << to_json_text(out);
    return kExitOk;
  }

  TextTable table({"term", "USD/hour", "share"});
  const double total = hourly.total_usd_per_hour();
  for (const Term& t : terms) {
    if (t.usd_per_hour == 0.0) continue;
    table.add_row({t.label + (t.assumed ? " *" : ""), with_thousands(t.usd_per_hour, 4),
                   format_share(t.usd_per_hour / total)});
  }
  table.add_row({"Blended hourly cost C", with_thousands(total, 4), "100.00%"});

  if (options.format == OutputFormat::kCsv) {
    std::cout << table.to_csv();
    return kExitOk;
  }
  std::cout << device->display_name << " at utilisation " << with_thousands(options.utilization, 2)
            << " (average draw " << with_thousands(hourly.average_power_watts, 0) << " W)\n\n"
            << table.to_text();
  if (tokens) {
    std::cout << "\nAt T = " << with_thousands(*options.tokens_per_second, 0)
              << " tokens/s and U = " << with_thousands(options.utilization, 2) << ":\n"
              << "  cost per million tokens:        "
              << with_thousands(tokens->blended_usd_per_mtok, 4) << " USD\n"
              << "  cost per million input tokens:  "
              << with_thousands(tokens->input_usd_per_mtok, 4) << " USD\n"
              << "  cost per million output tokens: "
              << with_thousands(tokens->output_usd_per_mtok, 4) << " USD\n";
  }
  std::cout << "\n* rests on assumed figures; override them in a config file (devices."
            << device->id << ".cost)\n";
  return kExitOk;
}

}  // namespace

void add_cost_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CostOptions>();
  CLI::App* command = app.add_subcommand(
      "cost", "Show a device's blended hourly cost term by term and its cost per million tokens");
  command->add_option("--device", options->device, "Device catalog id, e.g. h100")->required();
  command->add_option("--config", options->config_path, "Config file with catalog overrides");
  command->add_option("--utilization", options->utilization, "Share of time the device is busy")
      ->check(share_check())
      ->capture_default_str();
  command
      ->add_option("--tokens-per-second", options->tokens_per_second,
                   "Sustained tokens/s while busy (T); prints cost per million tokens")
      ->check(positive_check());
  command
      ->add_option("--input-token-share", options->input_token_share,
                   "Input tokens over all tokens")
      ->check(share_check())
      ->capture_default_str();
  command
      ->add_option("--prefill-time-share", options->prefill_time_share,
                   "Share of busy time spent on prefill")
      ->check(share_check())
      ->capture_default_str();
  add_format_option(command, options->format);
  command->callback([options, &exit_code] { exit_code = run_cost(*options); });
}

}  // namespace scoville::cli
