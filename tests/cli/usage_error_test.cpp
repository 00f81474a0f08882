// A wrong command line (no subcommand, an unknown one, a missing argument, a bad option value)
// exits with code 2 and one line on stderr, before anything runs.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"

namespace scoville::cli_test {
namespace {

// Checks the shape every usage error shares.
void check_usage_error(const CommandResult& result) {
  INFO(describe(result));
  CHECK_FALSE(result.timed_out);
  CHECK(result.exited_with(kExitUsageError));
  CHECK(result.stdout_text.empty());
  CHECK(result.stderr_text.starts_with("scoville: "));
  CHECK(result.stderr_text.ends_with("\n"));
  CHECK(lines_of(result.stderr_text).size() == 1);
}

TEST_CASE("scoville without a subcommand exits 2 with one line on stderr") {
  const CommandResult result = run_scoville({});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "subcommand is required"));
}

TEST_CASE("scoville with an unknown subcommand exits 2 with one line naming it") {
  const CommandResult result = run_scoville({"frobnicate"});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "unknown subcommand \"frobnicate\""));
}

TEST_CASE("scoville with a mistyped subcommand suggests the one it resembles") {
  const CommandResult result =
      run_scoville({"whatf", example_path("customer_efficient_tier.jsonc")});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "unknown subcommand \"whatf\" (did you mean \"whatif\"?)"));
}

TEST_CASE("scoville config without a subcommand exits 2 with one line on stderr") {
  check_usage_error(run_scoville({"config"}));
}

TEST_CASE("scoville whatif without a scenario exits 2 naming the missing argument") {
  const CommandResult result = run_scoville({"whatif"});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "scenario is required"));
}

TEST_CASE("scoville whatif with an unknown output format exits 2 naming the option") {
  const CommandResult result =
      run_scoville({"whatif", example_path("customer_efficient_tier.jsonc"), "--format", "xml"});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "--format"));
}

TEST_CASE("scoville whatif with an unknown option exits 2 naming it") {
  const CommandResult result =
      run_scoville({"whatif", example_path("customer_efficient_tier.jsonc"), "--frobnicate"});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "--frobnicate"));
}

TEST_CASE("scoville cost without a device exits 2 naming the option") {
  const CommandResult result = run_scoville({"cost"});

  check_usage_error(result);
  CHECK(contains(result.stderr_text, "--device"));
}

TEST_CASE("scoville --version prints the version and exits 0") {
  const CommandResult result = run_scoville({"--version"});

  require_success(result);
  CHECK(result.stdout_text.starts_with("scoville "));
}

TEST_CASE("scoville --help describes every subcommand and exits 0") {
  const CommandResult result = run_scoville({"--help"});

  require_success(result);
  for (const char* subcommand : {"whatif", "config", "cost", "prices"}) {
    CHECK(contains(result.stdout_text, subcommand));
  }
}

}  // namespace
}  // namespace scoville::cli_test
