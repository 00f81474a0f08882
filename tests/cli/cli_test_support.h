#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {

using test_support::CommandResult;
using test_support::describe;
using test_support::run_command;
using test_support::run_scoville;
using test_support::TempDir;

// Exit codes the binary documents (cli/command_status.h): a wrong file, value or scenario, and
// a wrong command line.
inline constexpr int kExitInputError = 1;
inline constexpr int kExitUsageError = 2;

// Absolute path of a file in the repository's examples/ folder.
std::string example_path(std::string_view file_name);

// True when `part` occurs in `text`.
bool contains(std::string_view text, std::string_view part);

// Non-overlapping occurrences of `needle` in `text`.
std::size_t count_occurrences(std::string_view text, std::string_view needle);

// The lines of `text` without their newlines; a final newline does not start another line.
std::vector<std::string> lines_of(std::string_view text);

// The body rows of the first aligned text table in `text`: the lines after its dashed rule, up
// to the first blank line.
std::vector<std::string> table_rows(std::string_view text);

// The first line of `rows` that starts with `first_cell` followed by a space, or nullopt.
std::optional<std::string> row_starting_with(const std::vector<std::string>& rows,
                                             std::string_view first_cell);

// Records of RFC 4180 CSV (quoted fields, doubled quotes), or nullopt when a quote is unbalanced
// or stray.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

// Checks that the command succeeded: exit 0 and nothing on stderr. Stops the test case when
// the exit code is wrong, since nothing after it would mean anything.
void require_success(const CommandResult& result);

// Checks that the command failed the way bad input should: it exited on its own (no signal, no
// deadline) with exit code 1, wrote nothing on stdout, and wrote one report on stderr: its
// first line starts with `prefix` and no other line does (the problems it lists follow, one an
// indented line).
void check_input_error(const CommandResult& result, std::string_view prefix);

// Stdout parsed as JSON after require_success(); stops the test case when it does not parse.
nlohmann::json require_json_output(const CommandResult& result);

// The entry of a comparison's "components" whose "name" is `name`; stops the test case when
// there is none.
const nlohmann::json& component(const nlohmann::json& comparison, std::string_view name);

// Checks |actual - expected| <= tolerance, naming `what` when it fails.
void check_near(double actual, double expected, std::string_view what, double tolerance = 1e-9);

}  // namespace scoville::cli_test
