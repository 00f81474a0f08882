#include "simulator/trace_reader.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/bounds.h"
#include "config/closest_match.h"
#include "config/jsonc.h"
#include "config/object_reader.h"
#include "simulator/length_distribution.h"
#include "simulator/line_reader.h"
#include "simulator/request_mix.h"

namespace scoville::simulator {
namespace {

using config::format_number;

// A field a row must give, under its own name or an alias.
struct FieldNames {
  std::string_view name;
  std::string_view alias;
};
constexpr FieldNames kArrivalField = {"arrived_at", ""};
constexpr FieldNames kInputField = {"num_prefill_tokens", "input_tokens"};
constexpr FieldNames kOutputField = {"num_decode_tokens", "output_tokens"};
constexpr std::string_view kClassField = "compute_class";

// Checks rows and keeps them; each format feeds it the same values. The field names are the
// ones the file used, so that messages quote the file.
class TraceBuilder {
 public:
  TraceBuilder(const std::vector<std::string>& class_names, const TraceLimits& limits)
      : class_names_(class_names), limits_(limits) {}

  // A problem with the row, or nothing. Once done(), later rows are not wanted.
  std::optional<std::string> add(std::string_view arrival_name, double arrival_seconds,
                                 std::string_view input_name, double input_tokens,
                                 std::string_view output_name, double output_tokens,
                                 std::string_view class_name);
  bool done() const { return done_; }
  std::vector<TraceRecord> take() { return std::move(records_); }
  bool empty() const { return records_.empty(); }

 private:
  const std::vector<std::string>& class_names_;
  TraceLimits limits_;
  std::vector<TraceRecord> records_;
  bool done_ = false;
  std::string last_class_name_;
  std::int32_t last_class_index_ = -1;
};

std::optional<std::string> TraceBuilder::add(std::string_view arrival_name, double arrival_seconds,
                                             std::string_view input_name, double input_tokens,
                                             std::string_view output_name, double output_tokens,
                                             std::string_view class_name) {
  if (std::optional<std::string> problem = lower_bound_problem(arrival_seconds, 0.0, true)) {
    return fmt::format("{} {}", arrival_name, *problem);
  }
  if (!records_.empty() && arrival_seconds < records_.back().arrival_seconds) {
    return fmt::format("{} goes backwards: {} after {}; rows must be in arrival order",
                       arrival_name, format_number(arrival_seconds),
                       format_number(records_.back().arrival_seconds));
  }
  if (limits_.max_arrival_seconds && arrival_seconds > *limits_.max_arrival_seconds) {
    done_ = true;
    return std::nullopt;
  }

  if (std::optional<std::string> problem = token_count_problem(input_tokens)) {
    return fmt::format("{} {}", input_name, *problem);
  }
  if (std::optional<std::string> problem = token_count_problem(output_tokens)) {
    return fmt::format("{} {}", output_name, *problem);
  }

  std::int32_t class_index = -1;
  if (!class_name.empty()) {
    // Traces tend to repeat one class for long runs.
    if (class_name != last_class_name_ || last_class_index_ < 0) {
      Result<std::int32_t> index = find_class_index(class_name, class_names_);
      if (!index) {
        return index.error().message;
      }
      last_class_name_ = class_name;
      last_class_index_ = *index;
    }
    class_index = last_class_index_;
  }

  records_.push_back(TraceRecord{.arrival_seconds = arrival_seconds,
                                 .input_tokens = static_cast<std::int32_t>(input_tokens),
                                 .output_tokens = static_cast<std::int32_t>(output_tokens),
                                 .class_index = class_index});
  if (limits_.max_requests && static_cast<std::int64_t>(records_.size()) >= *limits_.max_requests) {
    done_ = true;
  }
  return std::nullopt;
}

std::string missing_column(std::string_view name, const std::vector<std::string>& header) {
  if (const std::optional<std::string> close = config::closest_match(name, header)) {
    return fmt::format("missing column \"{}\" (is \"{}\" a typo?)", name, *close);
  }
  std::string listed;
  for (const std::string& column : header) {
    listed += listed.empty() ? "" : ", ";
    listed += column;
  }
  return fmt::format("missing column \"{}\"; the header has {}", name, listed);
}

// The index and name of the column holding `field`, or a problem with the header.
Result<std::pair<std::size_t, std::string_view>> find_column(const std::vector<std::string>& header,
                                                             FieldNames field) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] != field.name && (field.alias.empty() || header[i] != field.alias)) {
      continue;
    }
    if (found) {
      return make_error(fmt::format("columns \"{}\" and \"{}\" both give {}", header[*found],
                                    header[i], field.name));
    }
    found = i;
  }
  if (!found) {
    return make_error(missing_column(field.name, header));
  }
  return std::pair<std::size_t, std::string_view>(*found, header[*found]);
}

Result<std::vector<TraceRecord>> read_csv(LineReader& reader, TraceBuilder& builder) {
  std::vector<std::string_view> fields;
  std::string_view line;
  while (reader.next(line) && trim(line).empty()) {
  }
  if (trim(line).empty()) {
    return make_error(reader.at_file(
        "is empty; expected a header row with arrived_at,num_prefill_tokens,num_decode_tokens"));
  }
  if (!split_csv_fields(line, fields)) {
    return make_error(reader.at_line("unterminated quote in the header"));
  }
  const std::vector<std::string> header(fields.begin(), fields.end());

  auto arrival = find_column(header, kArrivalField);
  auto input = arrival ? find_column(header, kInputField) : arrival;
  auto output = input ? find_column(header, kOutputField) : input;
  if (!output) {
    return make_error(reader.at_line(output.error().message));
  }
  // header.size() when the trace has no class column.
  const auto class_column = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), kClassField) - header.begin());

  auto number = [&](std::pair<std::size_t, std::string_view> column) -> Result<double> {
    const std::string_view text = fields[column.first];
    if (std::optional<double> value = parse_number(text)) {
      return *value;
    }
    return make_error(fmt::format("{} must be a number, got \"{}\"", column.second, text));
  };

  while (!builder.done() && reader.next(line)) {
    if (trim(line).empty()) {
      continue;
    }
    if (!split_csv_fields(line, fields)) {
      return make_error(reader.at_line("unterminated quote"));
    }
    if (fields.size() != header.size()) {
      return make_error(reader.at_line(
          fmt::format("has {} fields, the header has {}", fields.size(), header.size())));
    }
    const Result<double> arrival_seconds = number(*arrival);
    const Result<double> input_tokens = number(*input);
    const Result<double> output_tokens = number(*output);
    for (const Result<double>* value : {&arrival_seconds, &input_tokens, &output_tokens}) {
      if (!*value) {
        return make_error(reader.at_line(value->error().message));
      }
    }
    const std::string_view class_name =
        class_column < fields.size() ? fields[class_column] : std::string_view();
    if (std::optional<std::string> problem =
            builder.add(arrival->second, *arrival_seconds, input->second, *input_tokens,
                        output->second, *output_tokens, class_name)) {
      return make_error(reader.at_line(*problem));
    }
  }
  if (!reader.good()) {
    return make_error(reader.at_file("read failed"));
  }
  return builder.take();
}

// A number field of a JSON row under its name or alias, or a problem.
Result<std::pair<double, std::string_view>> json_number(const nlohmann::json& row,
                                                        FieldNames field) {
  auto it = row.find(field.name);
  std::string_view name = field.name;
  if (!field.alias.empty()) {
    const auto alias = row.find(field.alias);
    if (it != row.end() && alias != row.end()) {
      return make_error(fmt::format("gives both {} and {}", field.name, field.alias));
    }
    if (alias != row.end()) {
      it = alias;
      name = field.alias;
    }
  }
  if (it == row.end()) {
    return make_error(fmt::format("missing \"{}\"", field.name));
  }
  if (!it->is_number()) {
    return make_error(fmt::format("{} must be a number, got {}", name, config::describe_type(*it)));
  }
  return std::pair<double, std::string_view>(it->get<double>(), name);
}

std::optional<std::string> add_json_row(const nlohmann::json& row, TraceBuilder& builder) {
  if (!row.is_object()) {
    return "must be a JSON object, got " + config::describe_type(row);
  }
  const auto arrival = json_number(row, kArrivalField);
  const auto input = arrival ? json_number(row, kInputField) : arrival;
  const auto output = input ? json_number(row, kOutputField) : input;
  if (!output) {
    return output.error().message;
  }

  std::string_view class_name;
  if (const auto it = row.find(kClassField); it != row.end() && !it->is_null()) {
    if (!it->is_string()) {
      return fmt::format("{} must be a string, got {}", kClassField, config::describe_type(*it));
    }
    class_name = it->get_ref<const std::string&>();
  }
  return builder.add(arrival->second, arrival->first, input->second, input->first, output->second,
                     output->first, class_name);
}

Result<std::vector<TraceRecord>> read_json_lines(LineReader& reader, TraceBuilder& builder) {
  std::string_view line;
  while (!builder.done() && reader.next(line)) {
    if (trim(line).empty()) {
      continue;
    }
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ...":
      // the reason follows the location, and the column is the byte offset in the line.
      const std::string what = e.what();
      const std::size_t reason = what.find(": ", what.find("parse error"));
      return make_error(reader.at_line(
          fmt::format("malformed JSON at column {}: {}", e.byte,
                      reason == std::string::npos ? what : what.substr(reason + 2))));
    }
    if (std::optional<std::string> problem = add_json_row(row, builder)) {
      return make_error(reader.at_line(*problem));
    }
  }
  if (!reader.good()) {
    return make_error(reader.at_file("read failed"));
  }
  return builder.take();
}

Result<std::vector<TraceRecord>> read_json_array(const std::filesystem::path& path,
                                                 TraceBuilder& builder) {
  Result<nlohmann::json> document = config::read_jsonc_file(path);
  if (!document) {
    return std::unexpected(document.error());
  }
  for (std::size_t i = 0; i < document->size() && !builder.done(); ++i) {
    if (std::optional<std::string> problem = add_json_row((*document)[i], builder)) {
      return make_error(fmt::format("{}: element {}: {}", path.string(), i, *problem));
    }
  }
  return builder.take();
}

// True when the first non-blank character of the file opens a JSON array.
bool starts_with_array(LineReader& reader) {
  std::string_view line;
  while (reader.next(line)) {
    const std::string_view text = trim(line);
    if (!text.empty()) {
      return text.front() == '[';
    }
  }
  return false;
}

}  // namespace

Result<std::vector<TraceRecord>> read_trace(const std::filesystem::path& path,
                                            const std::vector<std::string>& class_names,
                                            const TraceLimits& limits) {
  const std::string extension = path.extension().string();
  if (extension != ".csv" && extension != ".jsonl" && extension != ".json") {
    return make_error(
        fmt::format("{}: unknown trace format \"{}\"; expected a .csv, .jsonl or .json file",
                    path.string(), extension));
  }
  Result<LineReader> reader = LineReader::open(path);
  if (!reader) {
    return std::unexpected(reader.error());
  }

  TraceBuilder builder(class_names, limits);
  Result<std::vector<TraceRecord>> records = [&]() -> Result<std::vector<TraceRecord>> {
    if (extension == ".csv") {
      return read_csv(*reader, builder);
    }
    if (extension == ".json" && starts_with_array(*reader)) {
      return read_json_array(path, builder);
    }
    if (extension == ".json") {
      // starts_with_array consumed lines: read the JSON lines from the top.
      Result<LineReader> again = LineReader::open(path);
      if (!again) {
        return std::unexpected(again.error());
      }
      return read_json_lines(*again, builder);
    }
    return read_json_lines(*reader, builder);
  }();
  if (records && records->empty()) {
    return make_error(path.string() + ": has no requests");
  }
  return records;
}

}  // namespace scoville::simulator
