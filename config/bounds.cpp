#include "config/bounds.h"

#include <cmath>

#include <fmt/format.h>

namespace scoville::config {

bool Bounds::contains(double value) const {
  if (!std::isfinite(value)) {
    return false;
  }
  if (integer && std::floor(value) != value) {
    return false;
  }
  if (min && (min_inclusive ? value < *min : value <= *min)) {
    return false;
  }
  if (max && (max_inclusive ? value > *max : value >= *max)) {
    return false;
  }
  return true;
}

std::string Bounds::describe() const {
  const std::string kind = integer ? "an integer" : "a number";
  if (min && max) {
    if (min_inclusive && max_inclusive) {
      return fmt::format("must be {} between {} and {}", kind, format_number(*min),
                         format_number(*max));
    }
    return fmt::format("must be {} {} {} and {} {}", kind, min_inclusive ? ">=" : ">",
                       format_number(*min), max_inclusive ? "<=" : "<", format_number(*max));
  }
  if (min) {
    return fmt::format("must be {}{} {}", integer ? "an integer " : "", min_inclusive ? ">=" : ">",
                       format_number(*min));
  }
  if (max) {
    return fmt::format("must be {} {}", max_inclusive ? "<=" : "<", format_number(*max));
  }
  return integer ? "must be an integer" : "must be a finite number";
}

Bounds Bounds::any() { return Bounds{}; }

Bounds Bounds::positive() { return Bounds{.min = 0.0, .min_inclusive = false}; }

Bounds Bounds::non_negative() { return Bounds{.min = 0.0}; }

Bounds Bounds::share() { return Bounds{.min = 0.0, .max = 1.0}; }

Bounds Bounds::positive_share() { return Bounds{.min = 0.0, .min_inclusive = false, .max = 1.0}; }

Bounds Bounds::between(double low, double high) { return Bounds{.min = low, .max = high}; }

Bounds Bounds::at_least(double low) { return Bounds{.min = low}; }

Bounds Bounds::positive_integer() { return Bounds{.min = 1.0, .integer = true}; }

Bounds Bounds::non_negative_integer() { return Bounds{.min = 0.0, .integer = true}; }

std::string format_number(double value) { return fmt::format("{}", value); }

}  // namespace scoville::config
