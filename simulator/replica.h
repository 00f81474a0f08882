#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/batch_scheduler.h"
#include "scheduler/kv_cache.h"
#include "simulator/random.h"
#include "simulator/step_cost_model.h"

namespace scoville::simulator {

// What one replica did over a run, for utilisation, batching and cost.
struct ReplicaStats {
  double busy_seconds = 0.0;
  double prefill_seconds = 0.0;  // busy time attributed to prefill by token share
  std::uint64_t steps = 0;
  std::uint64_t compute_bound_steps = 0;
  double batch_sequences = 0.0;      // summed over steps
  double step_tokens = 0.0;          // tokens computed, summed over steps
  double token_budget = 0.0;         // the scheduler's token budget, summed over steps
  double sequence_slots = 0.0;       // the scheduler's max_num_seqs, summed over steps
  double kv_block_seconds = 0.0;     // used KV blocks integrated over busy time
  std::uint64_t prefill_tokens = 0;  // computed, recomputation included
};

// One inference engine: a device group running one model, with its scheduler and KV cache.
// The simulation drives it: begin_step() plans and times a step, end_step() applies it.
class Replica {
 public:
  Replica(std::size_t group, const StepCostModel& cost, const scheduler::SchedulerConfig& config,
          const scheduler::SpeculativeConfig& speculative, Random random);

  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  std::size_t group() const { return group_; }
  const StepCostModel& cost_model() const { return cost_; }
  const scheduler::SchedulerConfig& config() const { return scheduler_.config(); }

  void enqueue(scheduler::Sequence* sequence) { scheduler_.enqueue(sequence); }

  // Whether a request of this many tokens could ever be held in the KV cache.
  bool fits(std::int64_t total_tokens) const {
    return kv_.blocks_for(total_tokens) <= kv_.total_blocks();
  }

  bool stepping() const { return stepping_; }
  bool start_pending() const { return start_pending_; }
  void set_start_pending(bool pending) { start_pending_ = pending; }

  // Plans a step at `now_seconds` and returns its duration, or nothing when there is no work.
  std::optional<double> begin_step(double now_seconds);
  // Applies the step begun last; finished sequences are appended to `finished`.
  void end_step(double now_seconds, scheduler::StepObserver& observer,
                std::vector<scheduler::Sequence*>& finished);

  std::size_t outstanding() const { return scheduler_.running() + scheduler_.waiting(); }
  double kv_utilization() const {
    return static_cast<double>(kv_.used_blocks()) / static_cast<double>(kv_.total_blocks());
  }
  std::int64_t preemptions() const { return scheduler_.preemptions(); }
  const scheduler::KvCache& kv_cache() const { return kv_; }
  const ReplicaStats& stats() const { return stats_; }

 private:
  std::int32_t accepted_drafts(std::int32_t drafted);

  const std::size_t group_;
  const StepCostModel& cost_;
  const scheduler::SpeculativeConfig speculative_;
  scheduler::KvCache kv_;
  scheduler::BatchScheduler scheduler_;
  Random random_;
  scheduler::AcceptanceSampler sampler_;

  scheduler::StepPlan plan_;
  bool stepping_ = false;
  bool start_pending_ = false;
  ReplicaStats stats_;
};

}  // namespace scoville::simulator
