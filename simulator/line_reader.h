#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"

namespace scoville::simulator {

// Reads a text file one line at a time and names the current line in error messages
// ("trace.csv:12: ..."). Strips a UTF-8 byte order mark and Windows line endings.
class LineReader {
 public:
  // An error names the file when it is missing, a directory or unreadable.
  static Result<LineReader> open(const std::filesystem::path& path);

  // The next line without its line ending; false at the end of the file.
  bool next(std::string_view& line);

  // 1-based number of the line next() returned last.
  std::size_t line_number() const { return line_number_; }
  // The file as its user named it.
  const std::string& name() const { return name_; }
  // "name:line: message".
  std::string at_line(std::string_view message) const;
  // "name: message".
  std::string at_file(std::string_view message) const;
  // False when reading stopped on an I/O error rather than at the end of the file.
  bool good() const { return !in_.bad(); }

 private:
  LineReader(std::string name, std::ifstream in);

  std::string name_;
  std::ifstream in_;
  std::string line_;
  std::size_t line_number_ = 0;
};

// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

// A whole field as a number ("12", "-5", "0.25", "1e3"); nothing when any character is left
// over. Infinities and NaN parse; callers reject them with their own message.
std::optional<double> parse_number(std::string_view text);

// Splits a CSV line on commas into trimmed fields. A field in double quotes may hold commas;
// its view excludes the quotes and leaves doubled quotes ("") as they are, which is enough for
// the numeric and name fields the simulator reads. False on an unterminated quote.
bool split_csv_fields(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace scoville::simulator
