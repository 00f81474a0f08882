#pragma once

#include <map>
#include <string>

namespace scoville::cli {

enum class OutputFormat { kTable, kJson, kCsv };

// For CLI11's transform: the names users type for each format.
inline const std::map<std::string, OutputFormat>& output_format_names() {
  static const std::map<std::string, OutputFormat> names = {
      {"table", OutputFormat::kTable}, {"json", OutputFormat::kJson}, {"csv", OutputFormat::kCsv}};
  return names;
}

}  // namespace scoville::cli
