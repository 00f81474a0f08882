// The scoville command: a thin dispatcher over the subcommands each component provides.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/backend_command.h"
#include "cli/bench_command.h"
#include "cli/command_status.h"
#include "cli/config_command.h"
#include "cli/cost_command.h"
#include "cli/demo_command.h"
#include "cli/prices_command.h"
#include "cli/serve_command.h"
#include "cli/simulate_command.h"
#include "cli/whatif_command.h"
#include "config/closest_match.h"

int main(int argc, char** argv) {
  CLI::App app{"Scoville: routing and cost modelling for LLM inference fleets"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "scoville 0.1.0");

  int exit_code = scoville::cli::kExitOk;
  scoville::cli::add_backend_command(app, exit_code);
  scoville::cli::add_bench_command(app, exit_code);
  scoville::cli::add_config_command(app, exit_code);
  scoville::cli::add_cost_command(app, exit_code);
  scoville::cli::add_demo_command(app, exit_code);
  scoville::cli::add_prices_command(app, exit_code);
  scoville::cli::add_serve_command(app, exit_code);
  scoville::cli::add_simulate_command(app, exit_code);
  scoville::cli::add_whatif_command(app, exit_code);

  // CLI11 reports a mistyped subcommand as a missing one; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      names.push_back(command->get_name());
    }
    const std::string typed = argv[1];
    if (std::find(names.begin(), names.end(), typed) == names.end()) {
      std::cerr << "scoville: unknown subcommand \"" << typed << "\""
                << scoville::config::did_you_mean(typed, names) << " (see scoville --help)\n";
      return scoville::cli::kExitUsageError;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "scoville: " << e.what() << " (see scoville --help)\n";
    return scoville::cli::kExitUsageError;
  } catch (const std::exception& e) {
    // Nothing on a normal path throws; this turns a bug into one line instead of an abort.
    std::cerr << "scoville: internal error: " << e.what() << "\n";
    return scoville::cli::kExitInputError;
  }
  return exit_code;
}
