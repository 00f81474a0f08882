// `scoville whatif --report FILE`: a self-contained HTML page (inline SVG, no scripts, nothing
// fetched from elsewhere) next to the usual output.
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/cli/cli_test_support.h"
#include "tests/cli/html_checks.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

const std::string kCustomerExample = example_path("customer_efficient_tier.jsonc");
const std::string kFleetMixExample = example_path("fleet_mix.jsonc");

TEST_CASE("whatif --report writes a self-contained HTML page for a single comparison") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "report.html";

  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--report", report.string()});
  require_success(result);

  REQUIRE(std::filesystem::is_regular_file(report));
  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(contains(html, "-20.30%"));
  // The report comes in addition to the table, not instead of it.
  CHECK(contains(result.stdout_text, "-20.30%"));
}

TEST_CASE("whatif --report writes a self-contained HTML page for a fleet priced from the catalog") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "fleet.html";

  require_success(run_scoville({"whatif", kFleetMixExample, "--report", report.string()}));

  check_self_contained(read_text_file(report));
}

TEST_CASE("whatif --report writes a self-contained HTML page for a one-axis sweep") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "sweep.html";

  require_success(run_scoville({"whatif", kCustomerExample, "--sweep",
                                "tiers[0].traffic_share=0:1:0.25", "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(contains(html, "tiers[0].traffic_share"));
}

TEST_CASE("whatif --report writes a self-contained HTML page for a two-axis sweep") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "grid.html";

  require_success(
      run_scoville({"whatif", kCustomerExample, "--sweep", "tiers[0].traffic_share=0:1:0.25",
                    "--sweep", "input_spend_share=0:1:0.5", "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(contains(html, "input_spend_share"));
}

TEST_CASE("whatif --report escapes markup in the scenario's own text") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "escaped.html";

  require_success(
      run_scoville({"whatif", kCustomerExample, "--set",
                    "description=<script>alert(1)</script> & more", "--report", report.string()}));

  const std::string html = read_text_file(report);
  check_self_contained(html);
  CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
}

TEST_CASE("whatif --report to a path that cannot be written fails naming it, printing nothing") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "missing-folder" / "report.html";

  const CommandResult result =
      run_scoville({"whatif", kCustomerExample, "--report", report.string()});

  check_input_error(result, "scoville whatif: ");
  CHECK(contains(result.stderr_text, "cannot write report " + report.string()));
}

TEST_CASE("whatif --report writes no file when the scenario is invalid") {
  TempDir dir;
  const std::filesystem::path report = dir.path() / "report.html";

  const CommandResult result = run_scoville(
      {"whatif", kCustomerExample, "--set", "input_spend_share=2", "--report", report.string()});

  check_input_error(result, "scoville whatif: ");
  CHECK_FALSE(std::filesystem::exists(report));
}

}  // namespace
}  // namespace scoville::cli_test
