#include "scheduler/batch_scheduler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace scoville::scheduler {
namespace {

// vLLM keeps this share of blocks free when admitting, so running sequences can grow a while
// before anything must be preempted.
constexpr double kAdmissionWatermark = 0.01;

}  // namespace

BatchScheduler::BatchScheduler(SchedulerConfig config, SpeculativeConfig speculative,
                               KvCache& kv_cache)
    : config_(std::move(config)), speculative_(speculative), kv_(kv_cache) {}

std::int32_t BatchScheduler::priority_of(const Sequence& sequence) const {
  return config_.class_priority ? sequence.priority : 0;
}

void BatchScheduler::enqueue(Sequence* sequence) {
  sequence->prefill_target_tokens = sequence->prompt_tokens;
  waiting_[priority_of(*sequence)].push_back(sequence);
  ++waiting_count_;
}

void BatchScheduler::abort(Sequence* sequence) {
  const auto running = std::find(running_.begin(), running_.end(), sequence);
  if (running != running_.end()) {
    release_kv(*sequence);
    running_.erase(running);
    return;
  }
  for (auto level = waiting_.begin(); level != waiting_.end(); ++level) {
    auto& queue = level->second;
    const auto it = std::find(queue.begin(), queue.end(), sequence);
    if (it == queue.end()) continue;
    release_kv(*sequence);
    queue.erase(it);
    --waiting_count_;
    if (queue.empty()) waiting_.erase(level);
    return;
  }
}

void BatchScheduler::plan_step(StepPlan& plan, double now_seconds) {
  plan.clear();
  std::int64_t budget = config_.max_batched_tokens;

  if (config_.decode_first) {
    schedule_decodes(plan, budget, now_seconds);
    schedule_running_prefills(plan, budget, now_seconds);
    admit_waiting(plan, budget, now_seconds);
    return;
  }

  // Prefill first: a step of new prompts whenever one can be admitted, else a decode step.
  schedule_running_prefills(plan, budget, now_seconds);
  admit_waiting(plan, budget, now_seconds);
  if (plan.items.empty()) {
    schedule_decodes(plan, budget, now_seconds);
  }
  if (plan.items.empty()) {
    // Decoding preempted everything it could not grow: what is waiting now may fit.
    admit_waiting(plan, budget, now_seconds);
  }
}

void BatchScheduler::schedule_decodes(StepPlan& plan, std::int64_t& budget, double now_seconds) {
  const std::int32_t lookahead = speculative_.enabled ? speculative_.draft_tokens + 1 : 1;

  for (std::size_t i = 0; i < running_.size(); ++i) {
    Sequence* sequence = running_[i];
    if (sequence->prefilling()) {
      continue;
    }
    // Verify no more drafts than the sequence has tokens left to make, or the budget holds.
    const std::int64_t remaining = sequence->output_tokens - sequence->generated_tokens;
    const auto tokens =
        static_cast<std::int32_t>(std::min<std::int64_t>({lookahead, remaining, budget}));
    if (tokens < 1) {
      break;
    }

    const std::int32_t context = sequence->context_tokens();
    const std::int64_t needed = extra_blocks(*sequence, context + tokens);
    if (needed > 0 && !kv_.allocate(needed, now_seconds)) {
      // Preempt from the lower-priority, later tail; if nothing is left there, this one yields.
      if (!preempt_for(needed, sequence) || !kv_.allocate(needed, now_seconds)) {
        preempt(sequence);
        --i;
        continue;
      }
    }
    sequence->private_blocks += std::max<std::int64_t>(needed, 0);

    plan.items.push_back(ScheduledWork{sequence, tokens, false});
    plan.work.decode_tokens += tokens;
    plan.work.decode_context_tokens += context;
    plan.work.logit_sequences += 1;
    plan.decode_sequences += 1;
    budget -= tokens;
  }
}

void BatchScheduler::schedule_running_prefills(StepPlan& plan, std::int64_t& budget,
                                               double now_seconds) {
  for (Sequence* sequence : running_) {
    if (!sequence->prefilling() || budget <= 0) {
      continue;
    }
    const std::int64_t remaining = sequence->prefill_target_tokens - sequence->computed_tokens;
    std::int64_t chunk = config_.chunked_prefill ? std::min(remaining, budget) : remaining;
    if (!config_.chunked_prefill && remaining > budget && !plan.items.empty()) {
      continue;
    }
    const std::int64_t needed = extra_blocks(*sequence, sequence->computed_tokens + chunk);
    if (!kv_.allocate(needed, now_seconds)) {
      continue;
    }
    sequence->private_blocks += needed;
    add_prefill(plan, sequence, static_cast<std::int32_t>(chunk));
    budget -= chunk;
  }
}

void BatchScheduler::admit_waiting(StepPlan& plan, std::int64_t& budget, double now_seconds) {
  const auto watermark_blocks =
      static_cast<std::int64_t>(kAdmissionWatermark * static_cast<double>(kv_.total_blocks()));

  while (waiting_count_ > 0 && running_.size() < static_cast<std::size_t>(config_.max_num_seqs) &&
         budget > 0) {
    auto level = waiting_.begin();
    Sequence* sequence = level->second.front();

    // A shared prefix already in the cache skips its prefill; it is only taken (and counted)
    // once the admission is sure.
    std::int32_t cached = 0;
    const bool may_share = kv_.prefix_caching() && sequence->prefix_group >= 0 &&
                           !sequence->holds_prefix && sequence->computed_tokens == 0;
    if (may_share) {
      cached = std::min(kv_.peek_prefix(sequence->prefix_group, sequence->prefix_tokens),
                        sequence->prefill_target_tokens - 1);
    }
    const std::int64_t shared = may_share && cached > 0 ? kv_.blocks_for(cached) : 0;

    const std::int64_t start = sequence->computed_tokens + cached;
    const std::int64_t remaining = sequence->prefill_target_tokens - start;
    const std::int64_t chunk = config_.chunked_prefill ? std::min(remaining, budget) : remaining;
    const bool fits_budget = config_.chunked_prefill || remaining <= budget || plan.items.empty();
    const std::int64_t held = sequence->private_blocks + sequence->shared_blocks + shared;
    const std::int64_t needed = std::max<std::int64_t>(0, kv_.blocks_for(start + chunk) - held);
    // The watermark keeps room for running sequences to grow; an idle engine needs none.
    const std::int64_t reserve = running_.empty() ? 0 : watermark_blocks;
    if (!fits_budget || !kv_.can_allocate(needed + reserve) || !kv_.allocate(needed, now_seconds)) {
      // Head-of-line: later arrivals wait behind this one, as in vLLM.
      return;
    }

    if (may_share && cached == 0) {
      kv_.record_prefix_miss();
    }
    if (may_share && cached > 0) {
      kv_.acquire_prefix(sequence->prefix_group, sequence->prefix_tokens, now_seconds);
      sequence->holds_prefix = true;
      sequence->shared_blocks = shared;
      sequence->computed_tokens = cached;
      if (sequence->preemptions == 0) sequence->cached_prompt_tokens = cached;
    }
    level->second.pop_front();
    if (level->second.empty()) waiting_.erase(level);
    --waiting_count_;
    sequence->private_blocks += needed;
    // Running sequences stay ordered by priority, so that decodes of higher classes are
    // scheduled first and preemption takes from the lowest-priority tail.
    const auto position = std::find_if(
        running_.begin(), running_.end(),
        [&](const Sequence* other) { return priority_of(*other) < priority_of(*sequence); });
    running_.insert(position, sequence);
    add_prefill(plan, sequence, static_cast<std::int32_t>(chunk));
    budget -= chunk;
  }
}

void BatchScheduler::add_prefill(StepPlan& plan, Sequence* sequence, std::int32_t tokens) {
  const double prior = sequence->computed_tokens;
  const double chunk = tokens;
  plan.items.push_back(ScheduledWork{sequence, tokens, true});
  plan.work.prefill_tokens += tokens;
  // Causal attention: the i-th new token attends to the prior context and i new tokens.
  plan.work.prefill_attention_pairs += chunk * prior + chunk * (chunk + 1.0) / 2.0;
  plan.work.prefill_context_tokens += prior;
  if (sequence->computed_tokens + tokens >= sequence->prefill_target_tokens) {
    plan.work.logit_sequences += 1;
  }
}

std::int64_t BatchScheduler::extra_blocks(const Sequence& sequence, std::int64_t tokens) const {
  const std::int64_t held = sequence.private_blocks + sequence.shared_blocks;
  return std::max<std::int64_t>(0, kv_.blocks_for(tokens) - held);
}

bool BatchScheduler::preempt_for(std::int64_t blocks, const Sequence* keep) {
  const auto keep_at = std::find(running_.begin(), running_.end(), keep);
  const std::size_t first_candidate =
      keep_at == running_.end() ? 0 : static_cast<std::size_t>(keep_at - running_.begin()) + 1;

  while (!kv_.can_allocate(blocks)) {
    // The victim is the lowest-priority sequence scheduled after `keep`, the latest among equals.
    std::size_t victim = running_.size();
    for (std::size_t j = running_.size(); j-- > first_candidate;) {
      if (victim == running_.size() || priority_of(*running_[j]) < priority_of(*running_[victim])) {
        victim = j;
      }
    }
    if (victim == running_.size()) {
      return false;
    }
    preempt(running_[victim]);
  }
  return true;
}

void BatchScheduler::preempt(Sequence* sequence) {
  release_kv(*sequence);
  // Recompute: the prompt and every token generated so far are prefilled again.
  sequence->prefill_target_tokens = sequence->prompt_tokens + sequence->generated_tokens;
  sequence->computed_tokens = 0;
  sequence->preemptions += 1;
  ++preemptions_;

  running_.erase(std::find(running_.begin(), running_.end(), sequence));
  waiting_[priority_of(*sequence)].push_front(sequence);
  ++waiting_count_;
}

void BatchScheduler::release_kv(Sequence& sequence) {
  kv_.release(sequence.private_blocks);
  sequence.private_blocks = 0;
  if (sequence.holds_prefix) {
    kv_.release_prefix(sequence.prefix_group);
    sequence.holds_prefix = false;
  }
  sequence.shared_blocks = 0;
}

void BatchScheduler::share_prefix(Sequence& sequence, double now_seconds) {
  const std::int64_t prefix_blocks = sequence.prefix_tokens / kv_.block_size_tokens();
  if (prefix_blocks == 0 || sequence.private_blocks < prefix_blocks) {
    return;
  }
  const auto tokens = static_cast<std::int32_t>(prefix_blocks * kv_.block_size_tokens());
  if (kv_.adopt_prefix(sequence.prefix_group, tokens, prefix_blocks, now_seconds)) {
    sequence.private_blocks -= prefix_blocks;
    sequence.shared_blocks = prefix_blocks;
    sequence.holds_prefix = true;
  }
}

void BatchScheduler::complete_step(const StepPlan& plan, double now_seconds,
                                   const AcceptanceSampler& sampler, StepObserver& observer,
                                   std::vector<Sequence*>& finished) {
  bool any_finished = false;
  for (const ScheduledWork& item : plan.items) {
    Sequence& sequence = *item.sequence;
    std::int32_t emitted = 0;

    if (item.prefill) {
      sequence.computed_tokens += item.tokens;
      if (kv_.prefix_caching() && sequence.prefix_group >= 0 && !sequence.holds_prefix &&
          sequence.computed_tokens >= sequence.prefix_tokens) {
        share_prefix(sequence, now_seconds);
      }
      // The step that completes a prefill also samples the next token.
      emitted = sequence.prefilling() ? 0 : 1;
    } else {
      emitted = 1;
      if (speculative_.enabled) {
        emitted += sampler(item.tokens - 1);
        // Blocks taken for drafts that were rejected go back.
        const std::int32_t context_after =
            sequence.context_tokens() +
            std::min(emitted, sequence.output_tokens - sequence.generated_tokens);
        const std::int64_t surplus =
            sequence.private_blocks + sequence.shared_blocks - kv_.blocks_for(context_after);
        if (surplus > 0) {
          kv_.release(surplus);
          sequence.private_blocks -= surplus;
        }
      }
    }

    emitted = std::min(emitted, sequence.output_tokens - sequence.generated_tokens);
    if (emitted > 0) {
      const bool first = sequence.first_token_seconds < 0.0;
      const double since = first ? sequence.arrival_seconds : sequence.last_token_seconds;
      sequence.generated_tokens += emitted;
      if (first) sequence.first_token_seconds = now_seconds;
      sequence.last_token_seconds = now_seconds;
      observer.on_tokens(sequence, emitted, now_seconds - since, first);
    }
    any_finished = any_finished || sequence.finished();
  }

  if (!any_finished) {
    return;
  }
  std::erase_if(running_, [&](Sequence* sequence) {
    if (!sequence->finished()) return false;
    release_kv(*sequence);
    observer.on_finished(*sequence, now_seconds);
    finished.push_back(sequence);
    return true;
  });
}

}  // namespace scoville::scheduler
