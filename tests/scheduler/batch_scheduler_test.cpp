#include <doctest/doctest.h>

#include <deque>

#include "scheduler/batch_scheduler.h"

namespace scoville::scheduler {
namespace {

class Recorder final : public StepObserver {
 public:
  void on_tokens(const Sequence& /*sequence*/, std::int32_t tokens, double /*gap*/,
                 bool first) override {
    tokens_ += tokens;
    firsts_ += first ? 1 : 0;
  }
  void on_finished(const Sequence& /*sequence*/, double /*now*/) override { ++finished_; }

  int tokens_ = 0;
  int firsts_ = 0;
  int finished_ = 0;
};

Sequence make(std::uint64_t id, std::int32_t prompt, std::int32_t output,
              std::int32_t priority = 0) {
  Sequence s;
  s.id = id;
  s.prompt_tokens = prompt;
  s.output_tokens = output;
  s.priority = priority;
  return s;
}

// A target model that rejects every draft, and one that accepts them all.
const AcceptanceSampler kRejectAll = [](std::int32_t) { return 0; };
const AcceptanceSampler kAcceptAll = [](std::int32_t drafted) { return drafted; };

// Plans and completes one step starting at `now`.
void run_one_step(BatchScheduler& scheduler, Recorder& recorder, double now) {
  StepPlan plan;
  std::vector<Sequence*> finished;
  scheduler.plan_step(plan, now);
  scheduler.complete_step(plan, now + 1.0, kRejectAll, recorder, finished);
}

// Runs steps until nothing is left (at most 10000); returns the number of steps.
int drain(BatchScheduler& scheduler, Recorder& recorder,
          const AcceptanceSampler& sampler = kRejectAll) {
  StepPlan plan;
  std::vector<Sequence*> finished;
  int steps = 0;
  while (scheduler.has_work() && steps < 10000) {
    scheduler.plan_step(plan, steps);
    REQUIRE_FALSE(plan.items.empty());
    scheduler.complete_step(plan, steps + 1.0, sampler, recorder, finished);
    ++steps;
  }
  return steps;
}

TEST_CASE("chunked prefill splits a long prompt across steps within the token budget") {
  KvCache kv(1000, 16, false);
  SchedulerConfig config;
  config.max_batched_tokens = 512;
  BatchScheduler scheduler(config, SpeculativeConfig{}, kv);
  Sequence s = make(1, 2000, 3);
  scheduler.enqueue(&s);

  StepPlan plan;
  scheduler.plan_step(plan, 0.0);
  CHECK(plan.work.prefill_tokens == 512);
  Recorder recorder;
  std::vector<Sequence*> finished;
  scheduler.complete_step(
      plan, 1.0, [](std::int32_t) { return 0; }, recorder, finished);
  CHECK(recorder.tokens_ == 0);  // no token until the whole prompt is in

  // 2000 tokens in chunks of 512 take 4 steps, then 2 decode steps.
  CHECK(drain(scheduler, recorder) == 5);
  CHECK(recorder.tokens_ == 3);
  CHECK(recorder.firsts_ == 1);
  CHECK(kv.free_blocks() == 1000);
}

// Plans the step after a 50-token prompt has been prefilled, once a second request of
// `second_prompt` tokens has arrived.
StepPlan plan_with_one_running(const SchedulerConfig& config, std::int32_t second_prompt) {
  KvCache kv(1000, 16, false);
  BatchScheduler scheduler(config, SpeculativeConfig{}, kv);
  Sequence a = make(1, 50, 10);
  Sequence b = make(2, second_prompt, 10);
  scheduler.enqueue(&a);
  Recorder recorder;
  run_one_step(scheduler, recorder, 0.0);

  scheduler.enqueue(&b);
  StepPlan plan;
  scheduler.plan_step(plan, 1.0);
  plan.items.clear();  // they point at this frame's sequences; the totals are what tests read
  return plan;
}

TEST_CASE("decodes are scheduled before new prefills fill the rest of the budget") {
  SchedulerConfig config;
  config.max_batched_tokens = 100;
  const StepPlan plan = plan_with_one_running(config, 500);
  CHECK(plan.decode_sequences == 1);
  CHECK(plan.work.prefill_tokens == 99);
}

TEST_CASE("the prefill-first policy runs new prompts in steps of their own") {
  const StepPlan plan = plan_with_one_running(*scheduler_preset("vllm-v0"), 60);
  CHECK(plan.decode_sequences == 0);
  CHECK(plan.work.prefill_tokens == 60);
}

TEST_CASE("higher-priority requests are admitted first") {
  KvCache kv(1000, 16, false);
  SchedulerConfig config;
  config.max_num_seqs = 1;
  BatchScheduler scheduler(config, SpeculativeConfig{}, kv);
  Sequence low = make(1, 10, 1, 0);
  Sequence high = make(2, 10, 1, 10);
  scheduler.enqueue(&low);
  scheduler.enqueue(&high);
  StepPlan plan;
  scheduler.plan_step(plan, 0.0);
  REQUIRE(plan.items.size() == 1);
  CHECK(plan.items[0].sequence == &high);
}

TEST_CASE("a sequence that needs a block when none is free preempts the latest admitted") {
  // 8 blocks of 16 tokens: two sequences of 48-token prompts fill 6, and growth runs out.
  KvCache kv(8, 16, false);
  BatchScheduler scheduler(SchedulerConfig{}, SpeculativeConfig{}, kv);
  Sequence a = make(1, 48, 60);
  Sequence b = make(2, 48, 60);
  scheduler.enqueue(&a);
  scheduler.enqueue(&b);
  Recorder recorder;
  drain(scheduler, recorder);
  CHECK(scheduler.preemptions() > 0);
  CHECK(b.preemptions > 0);
  CHECK(a.preemptions == 0);
  CHECK(recorder.finished_ == 2);
  CHECK(recorder.tokens_ == 120);
  CHECK(kv.free_blocks() == 8);
}

TEST_CASE("speculative decoding emits the accepted drafts plus one token per step") {
  KvCache kv(1000, 16, false);
  BatchScheduler scheduler(SchedulerConfig{}, SpeculativeConfig{true, 4, 0.8, 0.05}, kv);
  Sequence s = make(1, 16, 21);
  scheduler.enqueue(&s);
  Recorder recorder;
  // The prefill step yields 1 token, then 4 verify steps of 5 tokens each.
  CHECK(drain(scheduler, recorder, kAcceptAll) == 5);
  CHECK(recorder.tokens_ == 21);
  CHECK(kv.free_blocks() == 1000);
}

TEST_CASE("the expected tokens per speculative step follow the acceptance rate") {
  SpeculativeConfig spec{true, 4, 0.8, 0.05};
  CHECK(spec.expected_tokens_per_step() == doctest::Approx(3.3616));
  spec.acceptance_rate = 1.0;
  CHECK(spec.expected_tokens_per_step() == doctest::Approx(5.0));
}

}  // namespace
}  // namespace scoville::scheduler

namespace scoville::scheduler {
namespace {

TEST_CASE("a higher-priority sequence admitted later is not the one preempted") {
  // 8 blocks: both prompts fit, their growth does not.
  KvCache kv(8, 16, false);
  BatchScheduler scheduler(SchedulerConfig{}, SpeculativeConfig{}, kv);
  Sequence low = make(1, 48, 60, 0);
  Sequence high = make(2, 48, 60, 10);
  scheduler.enqueue(&low);
  Recorder recorder;
  run_one_step(scheduler, recorder, 0.0);
  scheduler.enqueue(&high);
  drain(scheduler, recorder);
  CHECK(high.preemptions == 0);
  CHECK(low.preemptions > 0);
  CHECK(recorder.finished_ == 2);
}

TEST_CASE("speculative lookahead never reserves more than the tokens left to make") {
  // 4 blocks of 16 tokens hold exactly a 40-token prompt and 24 outputs; a lookahead of 9
  // would not fit near the end.
  KvCache kv(4, 16, false);
  BatchScheduler scheduler(SchedulerConfig{}, SpeculativeConfig{true, 8, 0.9, 0.05}, kv);
  Sequence s = make(1, 40, 24);
  scheduler.enqueue(&s);
  Recorder recorder;
  drain(scheduler, recorder, kAcceptAll);
  CHECK(recorder.tokens_ == 24);
  CHECK(scheduler.preemptions() == 0);
}

TEST_CASE("a token budget smaller than the lookahead still decodes") {
  KvCache kv(100, 16, false);
  SchedulerConfig config;
  config.max_batched_tokens = 4;
  BatchScheduler scheduler(config, SpeculativeConfig{true, 8, 0.9, 0.05}, kv);
  Sequence s = make(1, 10, 20);
  scheduler.enqueue(&s);
  Recorder recorder;
  drain(scheduler, recorder);
  CHECK(recorder.tokens_ == 20);
}

}  // namespace
}  // namespace scoville::scheduler
