#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace scoville::cli {

// 1234567.891 -> "1,234,567.89" with `decimals` places.
std::string with_thousands(double value, int decimals);

// A quantity formatted for a table by its unit: dollars per million tokens and shares get
// four places, everything else two, all with thousands separators.
std::string format_quantity(double value, std::string_view unit);

// A signed quantity ("+1,200.00", "-33,600.00").
std::string format_change(double value, std::string_view unit);

// "-20.30%", or "n/a" when there is nothing to compare with.
std::string format_percent(std::optional<double> ratio);

// "55.00%": a share as an unsigned percentage (negative shares keep their sign).
std::string format_share(double ratio);

// count / seconds, or 0 for an empty interval.
double per_second(std::uint64_t count, double seconds);

// part / whole, or 0 when there is no whole.
double share(std::uint64_t part, std::uint64_t whole);

// Shortest text that reads back as the same double, for CSV and JSON-like outputs.
std::string exact_number(double value);

}  // namespace scoville::cli
