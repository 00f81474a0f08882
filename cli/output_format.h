#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace scoville::cli {

enum class OutputFormat { kTable, kJson, kCsv };

// For CLI11's transform: the names users type for each format.
inline const std::map<std::string, OutputFormat>& output_format_names() {
  static const std::map<std::string, OutputFormat> names = {
      {"table", OutputFormat::kTable}, {"json", OutputFormat::kJson}, {"csv", OutputFormat::kCsv}};
  return names;
}

// Adds --format to `command`, accepting the names in `choices` (a subset of table, json, csv)
// and rejecting anything else with one line that lists them.
void add_format_option(CLI::App* command, OutputFormat& format,
                       const std::vector<std::string>& choices = {"table", "json", "csv"});

// JSON for scripts, indented; bytes that are not UTF-8 (from a command-line value, say) are
// replaced rather than aborting the output.
std::string to_json_text(const nlohmann::json& value);

// Checks for numeric options whose messages match those of file validation.
CLI::Validator share_check();         // [0, 1]
CLI::Validator positive_check();      // > 0
CLI::Validator non_negative_check();  // >= 0

}  // namespace scoville::cli
