#include "simulator/step_cost_model.h"

#include <fmt/format.h>

namespace scoville::simulator {

Result<StepCostModel> StepCostModel::create(const EngineShape& shape) {
  const config::DeviceSpec& device = shape.device;
  const config::ModelSpec& model = shape.model;
  const double tp = shape.tensor_parallel;

  const std::optional<double> peak = device.peak_flops(shape.weight_precision);
  if (!peak) {
    return make_error(fmt::format("device \"{}\" has no {} peak (dense_flops_per_second.{})",
                                  device.id, config::precision_name(shape.weight_precision),
                                  config::precision_name(shape.weight_precision)));
  }

  StepCostModel cost(shape);
  cost.effective_flops_per_second_ = *peak * device.efficiency.compute;
  cost.effective_bytes_per_second_ = device.hbm_bytes_per_second * device.efficiency.bandwidth;
  // Datasheets quote link bandwidth for both directions together; a ring all-reduce sends and
  // receives at once, so each direction gets half.
  cost.effective_link_bytes_per_second_ =
      device.interconnect_bytes_per_second / 2.0 * device.efficiency.interconnect;

  const double hidden = model.hidden_size;
  const double embedding = static_cast<double>(model.vocab_size) * hidden;
  const double head = model.tied_embeddings ? 0.0 : embedding;
  // Embedding lookups read a row per token, not the table; the output head is a full product.
  const double matrix_parameters = model.parameter_count() - embedding - head;
  cost.linear_flops_per_token_ = 2.0 * matrix_parameters;
  cost.head_flops_per_logit_ = 2.0 * hidden * model.vocab_size;
  // QK^T and AV: 2 FLOPs per multiply-add, 2 products, over every query head's dimensions.
  cost.attention_flops_per_pair_ = 4.0 * hidden * model.num_layers;

  const double bytes_per_weight = config::bytes_per_element(shape.weight_precision);
  // The output head is streamed whole each step (it is the embedding table when tied).
  cost.weight_bytes_ =
      (matrix_parameters + (model.tied_embeddings ? embedding : head)) * bytes_per_weight;
  cost.kv_bytes_per_token_ = model.kv_bytes_per_token(shape.kv_precision);
  // Activations travel in 16-bit precision whatever the weights are stored in.
  cost.activation_bytes_per_token_ = hidden * 2.0;

  const double usable_bytes = tp * device.hbm_capacity_bytes * shape.memory_utilization;
  const double stored_weights = model.weight_bytes(shape.weight_precision);
  if (stored_weights >= usable_bytes) {
    return make_error(fmt::format(
        "{} in {} needs {:.1f} GB for its weights, but {} x {} offers {:.1f} GB at {:.0f}% "
        "memory utilisation; raise the tensor parallelism or use a smaller precision",
        model.id, config::precision_name(shape.weight_precision), stored_weights / 1e9,
        shape.tensor_parallel, device.id, usable_bytes / 1e9, shape.memory_utilization * 100.0));
  }
  cost.kv_capacity_tokens_ = (usable_bytes - stored_weights) / cost.kv_bytes_per_token_;
  return cost;
}

StepTime StepCostModel::time(const scheduler::StepWork& work) const {
  StepTime t;
  if (work.empty()) {
    return t;
  }
  const double tp = shape_.tensor_parallel;
  const double tokens = static_cast<double>(work.total_tokens());
  const double attention_pairs = work.prefill_attention_pairs + work.decode_context_tokens +
                                 static_cast<double>(work.decode_tokens);

  const double flops = tokens * linear_flops_per_token_ +
                       work.logit_sequences * head_flops_per_logit_ +
                       attention_pairs * attention_flops_per_pair_;
  t.compute_seconds = flops / tp / effective_flops_per_second_;

  const double kv_read =
      (work.decode_context_tokens + work.prefill_context_tokens) * kv_bytes_per_token_;
  const double kv_written = tokens * kv_bytes_per_token_;
  t.memory_seconds = (weight_bytes_ + kv_read + kv_written) / tp / effective_bytes_per_second_;

  if (shape_.tensor_parallel > 1) {
    // Two all-reduces per layer (after attention and after the MLP); a ring moves
    // 2 (tp - 1) / tp of the payload through each device's link.
    const double payload = tokens * activation_bytes_per_token_;
    const double per_all_reduce =
        2.0 * (tp - 1.0) / tp * payload / effective_link_bytes_per_second_ +
        kAllReduceLatencySeconds;
    t.communication_seconds = 2.0 * shape_.model.num_layers * per_all_reduce;
  }
  t.overhead_seconds = shape_.device.efficiency.step_overhead_seconds;
  return t;
}

std::vector<std::string> StepCostModel::assumptions() const {
  const config::DeviceSpec& d = shape_.device;
  auto mark = [&](const char* field) { return d.is_assumed(field) ? " (assumed)" : ""; };
  return {
      fmt::format("{}: compute efficiency {:.2f}{}, bandwidth efficiency {:.2f}{}, interconnect "
                  "efficiency {:.2f}{}, step overhead {:.2f} ms{}",
                  d.id, d.efficiency.compute, mark("efficiency.compute"), d.efficiency.bandwidth,
                  mark("efficiency.bandwidth"), d.efficiency.interconnect,
                  mark("efficiency.interconnect"), d.efficiency.step_overhead_seconds * 1e3,
                  mark("efficiency.step_overhead_seconds")),
      fmt::format("{}: {:.0f}% of device memory for weights and KV cache, all-reduce latency "
                  "{:.0f} us, activations exchanged in 16-bit precision",
                  d.id, shape_.memory_utilization * 100.0, kAllReduceLatencySeconds * 1e6),
  };
}

}  // namespace scoville::simulator
