#include "tests/cli/cli_test_support.h"

#include <algorithm>
#include <cmath>

#include <doctest/doctest.h>

namespace scoville::cli_test {

std::string example_path(std::string_view file_name) {
  return std::string(SCOVILLE_SOURCE_DIR) + "/examples/" + std::string(file_name);
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    lines.emplace_back(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  }
  return lines;
}

std::vector<std::string> table_rows(std::string_view text) {
  const std::vector<std::string> lines = lines_of(text);
  const auto is_rule = [](const std::string& line) {
    return !line.empty() && line.find_first_not_of('-') == std::string::npos;
  };
  auto row = std::find_if(lines.begin(), lines.end(), is_rule);
  if (row == lines.end()) return {};
  const auto end = std::find(++row, lines.end(), std::string());
  return std::vector<std::string>(row, end);
}

std::optional<std::string> row_starting_with(const std::vector<std::string>& rows,
                                             std::string_view first_cell) {
  const std::string prefix = std::string(first_cell) + " ";
  for (const std::string& row : rows) {
    if (row.starts_with(prefix)) return row;
  }
  return std::nullopt;
}

std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted; only a separator may follow
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) return std::nullopt;
      quoted = true;
    } else if (c == ',' || c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      if (c == '\n') {
        records.push_back(std::move(record));
        record.clear();
      }
    } else if (c != '\r') {
      if (was_quoted) return std::nullopt;
      field.push_back(c);
    }
  }
  if (quoted) return std::nullopt;
  if (!field.empty() || was_quoted || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

void require_success(const CommandResult& result) {
  INFO(describe(result));
  REQUIRE(result.exited_with(0));
  CHECK(result.stderr_text.empty());
}

void check_input_error(const CommandResult& result, std::string_view prefix) {
  INFO(describe(result));
  CHECK_FALSE(result.timed_out);
  CHECK_FALSE(result.signal.has_value());
  CHECK(result.exited_with(kExitInputError));
  CHECK(result.stdout_text.empty());
  CHECK(result.stderr_text.starts_with(prefix));
  // Further lines of the report list its problems, indented; none starts another report.
  const std::vector<std::string> lines = lines_of(result.stderr_text);
  CHECK(std::count_if(lines.begin(), lines.end(),
                      [&](const std::string& line) { return line.starts_with(prefix); }) == 1);
  CHECK(result.stderr_text.ends_with("\n"));
  CHECK(result.stderr_text.find("internal error") == std::string::npos);
}

nlohmann::json require_json_output(const CommandResult& result) {
  require_success(result);
  nlohmann::json parsed = nlohmann::json::parse(result.stdout_text, nullptr,
                                                /*allow_exceptions=*/false);
  INFO(describe(result));
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

const nlohmann::json& component(const nlohmann::json& comparison, std::string_view name) {
  REQUIRE(comparison.contains("components"));
  const nlohmann::json& components = comparison.at("components");
  const auto found =
      std::find_if(components.begin(), components.end(),
                   [&](const nlohmann::json& c) { return c.value("name", "") == name; });
  INFO("component ", name);
  REQUIRE(found != components.end());
  return *found;
}

void check_near(double actual, double expected, std::string_view what, double tolerance) {
  INFO(what, ": got ", actual, ", expected ", expected, " within ", tolerance);
  CHECK(std::fabs(actual - expected) <= tolerance);
}

}  // namespace scoville::cli_test
