#pragma once

#include <optional>
#include <string>

namespace scoville::config {

// The range a number in a document must fall in. describe() gives the user-facing
// expectation ("must be > 0", "must be between 0 and 1").
struct Bounds {
  std::optional<double> min;
  bool min_inclusive = true;
  std::optional<double> max;
  bool max_inclusive = true;
  bool integer = false;

  bool contains(double value) const;
  std::string describe() const;

  static Bounds any();
  static Bounds positive();
  static Bounds non_negative();
  // A share or probability in [0, 1].
  static Bounds share();
  // A share in (0, 1]: zero would divide something by zero downstream.
  static Bounds positive_share();
  static Bounds between(double low, double high);
  static Bounds at_least(double low);
  static Bounds positive_integer();
  static Bounds non_negative_integer();
};

// Formats a number for messages and tables without trailing zeros: 0.35, 1e+12, 600000.
std::string format_number(double value);

}  // namespace scoville::config
