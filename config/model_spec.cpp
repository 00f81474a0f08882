#include "config/model_spec.h"

#include "config/object_reader.h"

namespace scoville::config {

double ModelSpec::parameter_count() const {
  const double hidden = hidden_size;
  const double kv_width = static_cast<double>(num_kv_heads) * head_dim();

  // Per layer: Q and O projections (hidden x hidden), K and V (hidden x kv_width), the gated
  // MLP's gate, up and down matrices, and two RMSNorm weight vectors.
  const double attention = 2.0 * hidden * hidden + 2.0 * hidden * kv_width;
  const double mlp = 3.0 * hidden * intermediate_size;
  const double norms = 2.0 * hidden;
  const double per_layer = attention + mlp + norms;

  const double embedding = static_cast<double>(vocab_size) * hidden;
  const double output_head = tied_embeddings ? 0.0 : embedding;
  return num_layers * per_layer + embedding + output_head + hidden;
}

double ModelSpec::kv_bytes_per_token(Precision kv_precision) const {
  // One key and one value vector per KV head per layer.
  return 2.0 * num_layers * num_kv_heads * head_dim() * bytes_per_element(kv_precision);
}

ModelSpec parse_model_spec(const std::string& id, const nlohmann::json& value,
                           const std::string& path, Issues& issues) {
  ModelSpec model;
  model.id = id;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return model;
  }

  auto count = [&](const char* key) {
    return static_cast<int>(reader.required_number(key, Bounds::positive_integer()));
  };
  model.display_name = reader.string_or("display_name", id);
  model.num_layers = count("num_layers");
  model.hidden_size = count("hidden_size");
  model.num_attention_heads = count("num_attention_heads");
  model.num_kv_heads = count("num_kv_heads");
  model.intermediate_size = count("intermediate_size");
  model.vocab_size = count("vocab_size");
  model.max_context_tokens = count("max_context_tokens");
  model.tied_embeddings = reader.optional_bool("tied_embeddings").value_or(false);
  reader.reject_unknown_keys();

  if (model.num_attention_heads > 0 && model.hidden_size % model.num_attention_heads != 0) {
    issues.add(reader.path_of("num_attention_heads"),
               "must divide hidden_size (" + std::to_string(model.hidden_size) + ")");
  }
  if (model.num_kv_heads > 0 && model.num_attention_heads % model.num_kv_heads != 0) {
    issues.add(reader.path_of("num_kv_heads"), "must divide num_attention_heads (" +
                                                   std::to_string(model.num_attention_heads) + ")");
  }
  return model;
}

}  // namespace scoville::config
