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

  spec.fallback_classes = reader.string_list("fallback_classes", "a class name");
  reader.reject_unknown_keys();
  return spec;
}

}  // namespace scoville::config
