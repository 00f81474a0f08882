#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::costmodel {

// One quantity of a what-if scenario, before and after the change.
struct ComponentChange {
  std::string name;   // machine name, e.g. "total_spend_usd_per_month"
  std::string label;  // for people, e.g. "Total spend"
  std::string unit;   // e.g. "USD/month"
  double before = 0.0;
  double after = 0.0;

  double change() const { return after - before; }
  // after / before - 1; nothing when before is zero.
  std::optional<double> relative_change() const;
};

// The outcome of a what-if scenario: every component before and after, and which component
// sums the scenario up.
struct Comparison {
  std::string kind;  // "customer" or "fleet"
  std::string description;
  std::vector<ComponentChange> components;
  std::string headline;                  // name of the summarising component
  std::vector<std::string> assumptions;  // figures the result rests on that are not measured

  void add(std::string name, std::string label, std::string unit, double before, double after);

  const ComponentChange* find(std::string_view name) const;
  const ComponentChange& headline_component() const;
};

}  // namespace scoville::costmodel
