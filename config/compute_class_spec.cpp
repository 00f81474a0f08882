#include "config/compute_class_spec.h"

#include "config/object_reader.h"

namespace scoville::config {

const std::vector<std::string>& builtin_class_ids() {
  static const std::vector<std::string> ids = {"standard", "efficient", "low_latency"};
  return ids;
}

ComputeClassSpec parse_compute_class_spec(const std::string& id, const nlohmann::json& value,
                                          const std::string& path, Issues& issues) {
  ComputeClassSpec spec;
  spec.id = id;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return spec;
  }

  spec.description = reader.string_or("description", "");
  spec.priority =
      static_cast<int>(reader.number_or("priority", Bounds::between(-100.0, 100.0), 0.0));
  spec.ttft_slo_seconds = reader.required_number("ttft_slo_seconds", Bounds::positive());
  spec.tpot_slo_seconds = reader.required_number("tpot_slo_seconds", Bounds::positive());

  if (const nlohmann::json* fallback = reader.optional_child("fallback_classes")) {
    const std::string fallback_path = reader.path_of("fallback_classes");
    if (!fallback->is_array()) {
      issues.add(fallback_path, "must be an array of class names, got " + describe_type(*fallback));
    } else {
      for (std::size_t i = 0; i < fallback->size(); ++i) {
        const nlohmann::json& name = (*fallback)[i];
        if (!name.is_string()) {
          issues.add(index_path(fallback_path, i),
                     "must be a class name, got " + describe_type(name));
          continue;
        }
        spec.fallback_classes.push_back(name.get<std::string>());
      }
    }
  }
  reader.reject_unknown_keys();
  return spec;
}

}  // namespace scoville::config
