#include "config/precision.h"

namespace scoville::config {

std::string_view precision_name(Precision precision) {
  switch (precision) {
    case Precision::kBf16:
      return "bf16";
    case Precision::kFp8:
      return "fp8";
    case Precision::kInt8:
      return "int8";
    case Precision::kFp4:
      return "fp4";
  }
  return "unknown";
}

std::optional<Precision> parse_precision(std::string_view name) {
  for (Precision precision : kAllPrecisions) {
    if (precision_name(precision) == name) {
      return precision;
    }
  }
  return std::nullopt;
}

std::vector<std::string> precision_names() {
  std::vector<std::string> names;
  for (Precision precision : kAllPrecisions) {
    names.emplace_back(precision_name(precision));
  }
  return names;
}

double bytes_per_element(Precision precision) {
  switch (precision) {
    case Precision::kBf16:
      return 2.0;
    case Precision::kFp8:
    case Precision::kInt8:
      return 1.0;
    case Precision::kFp4:
      return 0.5;
  }
  return 2.0;
}

}  // namespace scoville::config
