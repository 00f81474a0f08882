#include "cli/whatif_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_status.h"
#include "cli/comparison_output.h"
#include "cli/html_report.h"
#include "cli/output_format.h"
#include "config/config.h"
#include "costmodel/scenario.h"
#include "costmodel/sweep.h"

namespace scoville::cli {
namespace {

struct WhatifOptions {
  std::string scenario_path;
  std::string config_path;
  OutputFormat format = OutputFormat::kTable;
  std::vector<std::string> overrides;
  std::vector<std::string> sweeps;
  std::string report_path;
};

int fail(const std::string& message) {
  std::cerr << "scoville whatif: " << message << "\n";
  return kExitInputError;
}

Result<config::Config> load_catalog(const std::string& path) {
  if (path.empty()) {
    return config::builtin_config();
  }
  return config::load_config(path);
}

bool write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  return static_cast<bool>(out);
}

int run_whatif(const WhatifOptions& options) {
  Result<config::Config> catalog = load_catalog(options.config_path);
  if (!catalog) {
    return fail(catalog.error().message);
  }
  Result<costmodel::ScenarioInput> input =
      costmodel::load_scenario(options.scenario_path, options.overrides);
  if (!input) {
    return fail(input.error().message);
  }

  std::string rendered;
  std::string report;
  if (options.sweeps.empty()) {
    Result<costmodel::Comparison> comparison = costmodel::evaluate_scenario(*input, *catalog);
    if (!comparison) {
      return fail(comparison.error().message);
    }
    rendered = render_comparison(*comparison, options.format);
    if (!options.report_path.empty()) report = render_comparison_report(*comparison);
  } else {
    std::vector<costmodel::SweepAxis> axes;
    for (const std::string& spec : options.sweeps) {
      Result<costmodel::SweepAxis> axis = costmodel::parse_sweep_axis(spec);
      if (!axis) {
        return fail(axis.error().message);
      }
      axes.push_back(std::move(*axis));
    }
    Result<costmodel::SweepResult> sweep = costmodel::run_sweep(*input, *catalog, axes);
    if (!sweep) {
      return fail(sweep.error().message);
    }
    rendered = render_sweep(*sweep, options.format);
    if (!options.report_path.empty()) report = render_sweep_report(*sweep);
  }

  // Write the report first: a report that cannot be written must not look like a success.
  if (!options.report_path.empty() && !write_file(options.report_path, report)) {
    return fail("cannot write report " + options.report_path);
  }
  std::cout << rendered;
  return kExitOk;
}

}  // namespace

void add_whatif_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<WhatifOptions>();
  CLI::App* command = app.add_subcommand(
      "whatif",
      "Price a what-if scenario: a customer's spend moving to cheaper tiers, or a "
      "provider's fleet changing devices, throughput, cost or utilisation");
  command->add_option("scenario", options->scenario_path, "Scenario file (JSON with comments)")
      ->required();
  command->add_option("--config", options->config_path,
                      "Config file whose device catalog the scenario uses (default: built-in)");
  add_format_option(command, options->format);
  // Each --set and --sweep takes exactly one value, so they repeat instead of swallowing the
  // scenario argument that may follow them.
  command
      ->add_option("--set", options->overrides,
                   "Override a scenario value, PATH=VALUE (e.g. tiers[0].traffic_share=0.5)")
      ->allow_extra_args(false);
  command
      ->add_option("--sweep", options->sweeps,
                   "Sweep a value, PATH=START:STOP:STEP; give it once or twice for a grid")
      ->allow_extra_args(false);
  command->add_option("--report", options->report_path,
                      "Also write a self-contained HTML report with a chart to this file");
  command->callback([options, &exit_code] { exit_code = run_whatif(*options); });
}

}  // namespace scoville::cli
