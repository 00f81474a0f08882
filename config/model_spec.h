#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/precision.h"

namespace scoville::config {

// A decoder-only transformer's shape, as its published config gives it.
struct ModelSpec {
  std::string id;  // catalog key, e.g. "llama-3.1-8b"
  std::string display_name;
  int num_layers = 0;
  int hidden_size = 0;
  int num_attention_heads = 0;
  int num_kv_heads = 0;
  int intermediate_size = 0;
  int vocab_size = 0;
  int max_context_tokens = 0;
  bool tied_embeddings = false;

  int head_dim() const { return hidden_size / num_attention_heads; }

  // Weights of the attention, gated MLP, norms, embedding and (untied) output head.
  double parameter_count() const;

  // Bytes of keys and values one token adds to the KV cache across all layers.
  double kv_bytes_per_token(Precision kv_precision) const;

  double weight_bytes(Precision weight_precision) const {
    return parameter_count() * bytes_per_element(weight_precision);
  }
};

// Reads and validates the model entry `value` at `path` (e.g. "models.llama-3.1-8b").
ModelSpec parse_model_spec(const std::string& id, const nlohmann::json& value,
                           const std::string& path, Issues& issues);

}  // namespace scoville::config
