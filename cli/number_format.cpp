#include "cli/number_format.h"

#include <cmath>

#include <fmt/format.h>

namespace scoville::cli {
namespace {

int decimals_for(std::string_view unit) {
  if (unit == "USD/Mtok" || unit == "share") return 4;
  return 2;
}

}  // namespace

std::string with_thousands(double value, int decimals) {
  const std::string digits = fmt::format("{:.{}f}", std::fabs(value), decimals);
  const std::size_t point = digits.find('.');
  const std::size_t integer_digits = point == std::string::npos ? digits.size() : point;

  // Values that round to zero print without a sign, so there is no "-0.00".
  const bool negative = value < 0.0 && std::fabs(value) >= 0.5 * std::pow(10.0, -decimals);
  std::string text = negative ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < integer_digits && (integer_digits - i) % 3 == 0) {
      text.push_back(',');
    }
    text.push_back(digits[i]);
  }
  return text;
}

std::string format_quantity(double value, std::string_view unit) {
  return with_thousands(value, decimals_for(unit));
}

std::string format_change(double value, std::string_view unit) {
  const std::string text = with_thousands(value, decimals_for(unit));
  if (text.front() == '-' || text.find_first_not_of("0.,") == std::string::npos) {
    return text;
  }
  return "+" + text;
}

std::string format_percent(std::optional<double> ratio) {
  if (!ratio) {
    return "n/a";
  }
  const double percent = *ratio * 100.0;
  if (std::fabs(percent) < 0.005) {
    return "0.00%";
  }
  return fmt::format("{:+.2f}%", percent);
}

std::string format_share(double ratio) { return fmt::format("{:.2f}%", ratio * 100.0); }

double per_second(std::uint64_t count, double seconds) {
  return seconds > 0.0 ? static_cast<double>(count) / seconds : 0.0;
}

double share(std::uint64_t part, std::uint64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string exact_number(double value) { return fmt::format("{}", value); }

}  // namespace scoville::cli
