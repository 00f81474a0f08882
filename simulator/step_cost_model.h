#pragma once

#include <string>
#include <vector>

#include "config/device_spec.h"
#include "config/model_spec.h"
#include "config/precision.h"
#include "config/result.h"
#include "scheduler/step_work.h"

namespace scoville::simulator {

// The time of one engine step and what bounds it.
struct StepTime {
  double compute_seconds = 0.0;        // FLOPs over effective peak
  double memory_seconds = 0.0;         // bytes over effective HBM bandwidth
  double communication_seconds = 0.0;  // tensor-parallel all-reduces
  double overhead_seconds = 0.0;       // fixed per step

  double total_seconds() const {
    return (compute_seconds > memory_seconds ? compute_seconds : memory_seconds) +
           communication_seconds + overhead_seconds;
  }
  bool compute_bound() const { return compute_seconds > memory_seconds; }
};

// How one replica runs a model: device, model, tensor parallelism and number formats.
struct EngineShape {
  config::DeviceSpec device;
  config::ModelSpec model;
  int tensor_parallel = 1;
  config::Precision weight_precision = config::Precision::kBf16;
  config::Precision kv_precision = config::Precision::kBf16;
  double memory_utilization = 0.90;  // share of device memory for weights and KV cache
};

// Roofline timing of engine steps. A step costs the larger of its compute time (dense FLOPs
// over the peak at the weights' precision times the device's compute efficiency) and its
// memory time (weights plus KV reads and writes over HBM bandwidth times the bandwidth
// efficiency), plus the all-reduces tensor parallelism adds and a fixed per-step overhead.
// Tensor parallelism divides weights, KV and FLOPs among the replica's devices.
class StepCostModel {
 public:
  // Fails when the device lacks the precision or the weights do not fit the replica's memory.
  static Result<StepCostModel> create(const EngineShape& shape);

  StepTime time(const scheduler::StepWork& work) const;

  // Tokens of KV cache the replica holds once the weights are loaded.
  double kv_capacity_tokens() const { return kv_capacity_tokens_; }
  double weight_bytes() const { return weight_bytes_; }
  double kv_bytes_per_token() const { return kv_bytes_per_token_; }
  const EngineShape& shape() const { return shape_; }

  // The modelling assumptions behind these timings, for reports.
  std::vector<std::string> assumptions() const;

 private:
  explicit StepCostModel(const EngineShape& shape) : shape_(shape) {}

  EngineShape shape_;
  double effective_flops_per_second_ = 0.0;       // per device
  double effective_bytes_per_second_ = 0.0;       // per device
  double effective_link_bytes_per_second_ = 0.0;  // per device, one direction
  double linear_flops_per_token_ = 0.0;           // all matrix products but the output head
  double head_flops_per_logit_ = 0.0;
  double attention_flops_per_pair_ = 0.0;
  double weight_bytes_ = 0.0;                // streamed each step, whole replica
  double kv_bytes_per_token_ = 0.0;          // whole replica
  double activation_bytes_per_token_ = 0.0;  // one all-reduce's payload per token
  double kv_capacity_tokens_ = 0.0;
};

// The latency of one all-reduce over the device links, on top of its transfer time.
inline constexpr double kAllReduceLatencySeconds = 8e-6;

}  // namespace scoville::simulator
