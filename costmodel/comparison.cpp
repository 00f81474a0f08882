#include "costmodel/comparison.h"

#include <cassert>
#include <utility>

namespace scoville::costmodel {

std::optional<double> ComponentChange::relative_change() const {
  if (before == 0.0) {
    return std::nullopt;
  }
  return after / before - 1.0;
}

void Comparison::add(std::string name, std::string label, std::string unit, double before,
                     double after) {
  components.push_back(
      ComponentChange{std::move(name), std::move(label), std::move(unit), before, after});
}

const ComponentChange* Comparison::find(std::string_view name) const {
  for (const ComponentChange& component : components) {
    if (component.name == name) {
      return &component;
    }
  }
  return nullptr;
}

const ComponentChange& Comparison::headline_component() const {
  const ComponentChange* component = find(headline);
  assert(component != nullptr && "a comparison always carries its headline component");
  return component != nullptr ? *component : components.front();
}

}  // namespace scoville::costmodel
