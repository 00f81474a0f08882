#include "cli/config_command.h"

#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command_status.h"
#include "cli/number_format.h"
#include "cli/output_format.h"
#include "cli/text_table.h"
#include "config/config.h"

namespace scoville::cli {
namespace {

struct ConfigOptions {
  std::string path;
  OutputFormat format = OutputFormat::kTable;
};

int run_check(const ConfigOptions& options) {
  const config::Issues issues = config::check_config_file(options.path);
  if (options.format == OutputFormat::kJson) {
    nlohmann::json problems = nlohmann::json::array();
    for (const config::Issue& issue : issues.all()) {
      problems.push_back({{"path", issue.path}, {"message", issue.message}});
    }
    std::cout << to_json_text(
        nlohmann::json{{"file", options.path}, {"valid", issues.empty()}, {"problems", problems}});
  } else if (issues.empty()) {
    std::cout << options.path << ": OK\n";
  } else {
    std::cerr << "scoville config check: " << config::describe_issues(options.path, issues) << "\n";
  }
  return issues.empty() ? kExitOk : kExitInputError;
}

Result<config::Config> load(const std::string& path) {
  return path.empty() ? config::builtin_config() : config::load_config(path);
}

// A figure with a trailing "*" when the catalog marks it as an assumption.
std::string figure(const config::DeviceSpec& device, const std::string& field, double value,
                   double scale, int decimals) {
  std::string text = with_thousands(value / scale, decimals);
  return device.is_assumed(field) ? text + "*" : text;
}

int run_devices(const ConfigOptions& options) {
  Result<config::Config> loaded = load(options.path);
  if (!loaded) {
    std::cerr << "scoville config devices: " << loaded.error().message << "\n";
    return kExitInputError;
  }

  if (options.format == OutputFormat::kJson) {
    nlohmann::json devices = nlohmann::json::object();
    for (const auto& [id, d] : loaded->devices) {
      nlohmann::json peaks = nlohmann::json::object();
      for (const auto& [precision, flops] : d.dense_flops_per_second) {
        peaks[std::string(config::precision_name(precision))] = flops;
      }
      devices[id] = {{"display_name", d.display_name},
                     {"hbm_capacity_bytes", d.hbm_capacity_bytes},
                     {"hbm_bytes_per_second", d.hbm_bytes_per_second},
                     {"dense_flops_per_second", peaks},
                     {"tdp_watts", d.tdp_watts},
                     {"interconnect_bytes_per_second", d.interconnect_bytes_per_second},
                     {"assumed", d.assumed_fields}};
    }
    std::cout << to_json_text(devices);
    return kExitOk;
  }

  TextTable table({"device", "HBM GB", "HBM TB/s", "BF16 TFLOPS", "FP8 TFLOPS", "INT8 TOPS",
                   "FP4 TFLOPS", "TDP W", "link GB/s"});
  bool any_assumed = false;
  for (const auto& [id, d] : loaded->devices) {
    auto peak = [&](config::Precision p) {
      const std::optional<double> flops = d.peak_flops(p);
      const std::string field = "dense_flops_per_second." + std::string(config::precision_name(p));
      return flops ? figure(d, field, *flops, 1e12, 0) : std::string("-");
    };
    any_assumed = any_assumed || !d.assumed_fields.empty();
    table.add_row(
        {id, figure(d, "hbm_capacity_bytes", d.hbm_capacity_bytes, 1e9, 0),
         figure(d, "hbm_bytes_per_second", d.hbm_bytes_per_second, 1e12, 2),
         peak(config::Precision::kBf16), peak(config::Precision::kFp8),
         peak(config::Precision::kInt8), peak(config::Precision::kFp4),
         figure(d, "tdp_watts", d.tdp_watts, 1.0, 0),
         figure(d, "interconnect_bytes_per_second", d.interconnect_bytes_per_second, 1e9, 0)});
  }
  std::cout << table.to_text();
  if (any_assumed) {
    std::cout << "\n* assumed, not a published figure (cost inputs are assumptions for every "
                 "device; see `scoville cost`)\n";
  }
  return kExitOk;
}

int run_models(const ConfigOptions& options) {
  Result<config::Config> loaded = load(options.path);
  if (!loaded) {
    std::cerr << "scoville config models: " << loaded.error().message << "\n";
    return kExitInputError;
  }
  if (options.format == OutputFormat::kJson) {
    nlohmann::json models = nlohmann::json::object();
    for (const auto& [id, m] : loaded->models) {
      models[id] = {{"display_name", m.display_name},
                    {"num_layers", m.num_layers},
                    {"hidden_size", m.hidden_size},
                    {"num_attention_heads", m.num_attention_heads},
                    {"num_kv_heads", m.num_kv_heads},
                    {"intermediate_size", m.intermediate_size},
                    {"vocab_size", m.vocab_size},
                    {"max_context_tokens", m.max_context_tokens},
                    {"parameter_count", m.parameter_count()},
                    {"kv_bytes_per_token_bf16", m.kv_bytes_per_token(config::Precision::kBf16)}};
    }
    std::cout << to_json_text(models);
    return kExitOk;
  }
  TextTable table({"model", "params (B)", "layers", "hidden", "heads", "kv heads", "mlp", "vocab",
                   "KV KiB/token (bf16)"});
  for (const auto& [id, m] : loaded->models) {
    table.add_row({id, with_thousands(m.parameter_count() / 1e9, 2), std::to_string(m.num_layers),
                   std::to_string(m.hidden_size), std::to_string(m.num_attention_heads),
                   std::to_string(m.num_kv_heads), std::to_string(m.intermediate_size),
                   std::to_string(m.vocab_size),
                   with_thousands(m.kv_bytes_per_token(config::Precision::kBf16) / 1024.0, 0)});
  }
  std::cout << table.to_text();
  return kExitOk;
}

}  // namespace

void add_config_command(CLI::App& app, int& exit_code) {
  CLI::App* config = app.add_subcommand("config", "Check a config file and show the catalogs");
  config->require_subcommand(1);

  auto check_options = std::make_shared<ConfigOptions>();
  CLI::App* check = config->add_subcommand(
      "check", "Validate a config file and list every problem with its JSON path");
  check->add_option("file", check_options->path, "Config file (JSON with comments)")->required();
  add_format_option(check, check_options->format, {"table", "json"});
  check->callback([check_options, &exit_code] { exit_code = run_check(*check_options); });

  auto device_options = std::make_shared<ConfigOptions>();
  CLI::App* devices = config->add_subcommand(
      "devices", "List the device catalog; assumed figures are marked with *");
  devices->add_option("--config", device_options->path, "Config file with overrides");
  add_format_option(devices, device_options->format, {"table", "json"});
  devices->callback([device_options, &exit_code] { exit_code = run_devices(*device_options); });

  auto model_options = std::make_shared<ConfigOptions>();
  CLI::App* models = config->add_subcommand("models", "List the model catalog");
  models->add_option("--config", model_options->path, "Config file with overrides");
  add_format_option(models, model_options->format, {"table", "json"});
  models->callback([model_options, &exit_code] { exit_code = run_models(*model_options); });
}

}  // namespace scoville::cli
