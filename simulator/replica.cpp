#include "simulator/replica.h"

#include <algorithm>
#include <cmath>

namespace scoville::simulator {
namespace {

std::int64_t kv_blocks_of(const StepCostModel& cost, const scheduler::SchedulerConfig& config) {
  const double blocks = std::floor(cost.kv_capacity_tokens() / config.block_size_tokens);
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(blocks));
}

}  // namespace

Replica::Replica(std::size_t group, const StepCostModel& cost,
                 const scheduler::SchedulerConfig& config,
                 const scheduler::SpeculativeConfig& speculative, Random random)
    : group_(group),
      cost_(cost),
      speculative_(speculative),
      kv_(kv_blocks_of(cost, config), config.block_size_tokens, config.prefix_caching),
      scheduler_(config, speculative, kv_),
      random_(random),
      sampler_([this](std::int32_t drafted) { return accepted_drafts(drafted); }) {}

std::int32_t Replica::accepted_drafts(std::int32_t drafted) {
  // Each draft token is accepted with probability alpha until the first rejection.
  std::int32_t accepted = 0;
  while (accepted < drafted && random_.uniform() < speculative_.acceptance_rate) {
    ++accepted;
  }
  return accepted;
}

std::optional<double> Replica::begin_step(double now_seconds) {
  scheduler_.plan_step(plan_, now_seconds);
  if (plan_.items.empty()) {
    return std::nullopt;
  }

  const StepTime time = cost_.time(plan_.work);
  double duration = time.total_seconds();
  if (speculative_.enabled && plan_.decode_sequences > 0) {
    // The draft model runs k small decode steps before the target verifies.
    scheduler::StepWork plain;
    plain.decode_tokens = plan_.decode_sequences;
    plain.decode_context_tokens = plan_.work.decode_context_tokens;
    plain.logit_sequences = plan_.decode_sequences;
    duration += speculative_.draft_tokens * speculative_.draft_cost_ratio *
                cost_.time(plain).total_seconds();
  }

  stats_.busy_seconds += duration;
  stats_.steps += 1;
  if (time.compute_bound()) stats_.compute_bound_steps += 1;
  stats_.batch_sequences += static_cast<double>(plan_.items.size());
  stats_.step_tokens += static_cast<double>(plan_.work.total_tokens());
  stats_.token_budget += scheduler_.config().max_batched_tokens;
  stats_.sequence_slots += scheduler_.config().max_num_seqs;
  stats_.kv_block_seconds += static_cast<double>(kv_.used_blocks()) * duration;
  stats_.prefill_tokens += static_cast<std::uint64_t>(plan_.work.prefill_tokens);
  const double tokens = static_cast<double>(plan_.work.prefill_tokens + plan_.decode_sequences);
  stats_.prefill_seconds += duration * static_cast<double>(plan_.work.prefill_tokens) / tokens;
  stepping_ = true;
  return duration;
}

void Replica::end_step(double now_seconds, scheduler::StepObserver& observer,
                       std::vector<scheduler::Sequence*>& finished) {
  scheduler_.complete_step(plan_, now_seconds, sampler_, observer, finished);
  stepping_ = false;
}

}  // namespace scoville::simulator
