#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::config {

// Numeric formats a device computes in and a model's weights are stored in.
enum class Precision { kBf16, kFp8, kInt8, kFp4 };

inline constexpr std::array<Precision, 4> kAllPrecisions = {Precision::kBf16, Precision::kFp8,
                                                            Precision::kInt8, Precision::kFp4};

// "bf16", "fp8", "int8", "fp4".
std::string_view precision_name(Precision precision);
std::optional<Precision> parse_precision(std::string_view name);
std::vector<std::string> precision_names();

// Storage size of one weight or KV element.
double bytes_per_element(Precision precision);

}  // namespace scoville::config
