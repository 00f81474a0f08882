#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "scheduler/kv_cache.h"
#include "scheduler/scheduler_config.h"
#include "scheduler/sequence.h"
#include "scheduler/speculative_config.h"
#include "scheduler/step_work.h"

namespace scoville::scheduler {

// One sequence's share of a step: a prefill chunk of `tokens` prompt tokens, or a decode of
// one token (k + 1 with speculative decoding).
struct ScheduledWork {
  Sequence* sequence = nullptr;
  std::int32_t tokens = 0;
  bool prefill = false;
};

// The work of one engine step.
struct StepPlan {
  std::vector<ScheduledWork> items;
  StepWork work;  // as the target model computes it
  std::int32_t decode_sequences = 0;

  void clear() {
    items.clear();
    work = StepWork{};
    decode_sequences = 0;
  }
};

// Receives what a finished step produced, for metrics.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // `tokens` new output tokens of `sequence`; `gap_seconds` since its previous ones (for the
  // first token, since arrival).
  virtual void on_tokens(const Sequence& sequence, std::int32_t tokens, double gap_seconds,
                         bool first) = 0;
  virtual void on_finished(const Sequence& sequence, double now_seconds) = 0;
};

// Draws how many of `drafted` draft tokens the target accepts (0..drafted).
using AcceptanceSampler = std::function<std::int32_t(std::int32_t drafted)>;

// Continuous batching over a paged KV cache: each step takes running decodes and prefill
// chunks up to a token budget, admits waiting sequences while KV blocks last, and preempts
// (recomputes) the lowest-priority, most recently admitted sequence when a running one needs
// a block and none is free, as vLLM does.
class BatchScheduler {
 public:
  BatchScheduler(SchedulerConfig config, SpeculativeConfig speculative, KvCache& kv_cache);

  void enqueue(Sequence* sequence);

  bool has_work() const { return !running_.empty() || waiting_count_ > 0; }
  std::size_t running() const { return running_.size(); }
  std::size_t waiting() const { return waiting_count_; }
  std::int64_t preemptions() const { return preemptions_; }
  const SchedulerConfig& config() const { return config_; }

  // Removes a sequence that is no longer wanted (its client went away), running or waiting,
  // and frees its KV. Must not be called while a step that includes it is in flight.
  void abort(Sequence* sequence);

  // Fills `plan` with the next step's work; empty when nothing can run.
  void plan_step(StepPlan& plan, double now_seconds);

  // Applies a finished step at `now_seconds`. Sequences that are done release their KV and
  // are appended to `finished`.
  void complete_step(const StepPlan& plan, double now_seconds, const AcceptanceSampler& sampler,
                     StepObserver& observer, std::vector<Sequence*>& finished);

 private:
  void schedule_decodes(StepPlan& plan, std::int64_t& budget, double now_seconds);
  void schedule_running_prefills(StepPlan& plan, std::int64_t& budget, double now_seconds);
  void admit_waiting(StepPlan& plan, std::int64_t& budget, double now_seconds);
  void add_prefill(StepPlan& plan, Sequence* sequence, std::int32_t tokens);

  // Blocks `sequence` needs beyond those it has to hold `tokens` tokens of context.
  std::int64_t extra_blocks(const Sequence& sequence, std::int64_t tokens) const;

  // Frees blocks by preempting running sequences admitted after `keep`; false when none is
  // left to preempt.
  bool preempt_for(std::int64_t blocks, const Sequence* keep);
  void preempt(Sequence* sequence);
  void release_kv(Sequence& sequence);
  // Offers the prompt prefix a sequence just computed to the prefix cache.
  void share_prefix(Sequence& sequence, double now_seconds);

  // A sequence's priority as this scheduler sees it: its class's, or 0 without priorities.
  std::int32_t priority_of(const Sequence& sequence) const;

  const SchedulerConfig config_;
  const SpeculativeConfig speculative_;
  KvCache& kv_;

  std::vector<Sequence*> running_;  // in admission order
  // Waiting sequences by priority, highest first; preempted ones go back to the front.
  std::map<std::int32_t, std::deque<Sequence*>, std::greater<>> waiting_;
  std::size_t waiting_count_ = 0;
  std::int64_t preemptions_ = 0;
};

}  // namespace scoville::scheduler
