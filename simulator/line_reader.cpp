#include "simulator/line_reader.h"

#include <charconv>

#include <system_error>
#include <utility>
#include "config/input_file.h"

namespace scoville::simulator {

Result<LineReader> LineReader::open(const std::filesystem::path& path) {
  Result<std::ifstream> in = config::open_input_file(path);
  if (!in) {
    return std::unexpected(in.error());
  }
  return LineReader(path.string(), std::move(*in));
}

LineReader::LineReader(std::string name, std::ifstream in)
    : name_(std::move(name)), in_(std::move(in)) {}

bool LineReader::next(std::string_view& line) {
  if (!std::getline(in_, line_)) {
    return false;
  }
  ++line_number_;

  std::string_view view = line_;
  if (line_number_ == 1 && view.starts_with("\xEF\xBB\xBF")) {
    view.remove_prefix(3);
  }
  if (view.ends_with('\r')) {
    view.remove_suffix(1);
  }
  line = view;
  return true;
}

std::string LineReader::at_line(std::string_view message) const {
  return name_ + ":" + std::to_string(line_number_) + ": " + std::string(message);
}

std::string LineReader::at_file(std::string_view message) const {
  return name_ + ": " + std::string(message);
}

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) {
    return {};
  }
  const std::size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  // from_chars takes a minus sign but not a plus sign.
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

bool split_csv_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t position = 0;
  while (true) {
    // Skip the spaces before a field so that a quote after them still opens a quoted field.
    while (position < line.size() && (line[position] == ' ' || line[position] == '\t')) {
      ++position;
    }

    std::size_t comma = 0;
    if (position < line.size() && line[position] == '"') {
      std::size_t close = position + 1;
      while (true) {
        close = line.find('"', close);
        if (close == std::string_view::npos) {
          return false;
        }
        if (close + 1 < line.size() && line[close + 1] == '"') {
          close += 2;
          continue;
        }
        break;
      }
      fields.push_back(line.substr(position + 1, close - position - 1));
      comma = line.find(',', close + 1);
    } else {
      comma = line.find(',', position);
      fields.push_back(trim(line.substr(position, comma - position)));
    }

    if (comma == std::string_view::npos) {
      return true;
    }
    position = comma + 1;
  }
}

}  // namespace scoville::simulator
