#include "backend/realtime_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace scoville::backend {

// A request the engine holds: its sequence and whom to tell.
struct RealtimeEngine::Pending {
  scheduler::Sequence sequence;
  GenerationCallbacks callbacks;
  bool cancelled = false;
};

// Turns a finished step's token events into the requests' callbacks.
class RealtimeEngine::Observer final : public scheduler::StepObserver {
 public:
  explicit Observer(RealtimeEngine& engine) : engine_(engine) {}

  void on_tokens(const scheduler::Sequence& sequence, std::int32_t tokens, double /*gap*/,
                 bool /*first*/) override {
    auto it = engine_.requests_.find(sequence.id);
    if (it != engine_.requests_.end() && !it->second->cancelled &&
        it->second->callbacks.on_tokens) {
      it->second->callbacks.on_tokens(tokens);
    }
  }
  void on_finished(const scheduler::Sequence& sequence, double /*now*/) override {
    auto it = engine_.requests_.find(sequence.id);
    if (it == engine_.requests_.end()) return;
    if (!it->second->cancelled && it->second->callbacks.on_finished) {
      it->second->callbacks.on_finished(sequence.preemptions);
    }
  }

 private:
  RealtimeEngine& engine_;
};

namespace {

std::int64_t kv_blocks(const simulator::StepCostModel& cost,
                       const scheduler::SchedulerConfig& config) {
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(cost.kv_capacity_tokens() /
                                                                        config.block_size_tokens)));
}

}  // namespace

SecondsClock steady_seconds_clock() {
  return [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

RealtimeEngine::RealtimeEngine(asio::any_io_executor executor, simulator::StepCostModel cost,
                               scheduler::SchedulerConfig config,
                               scheduler::SpeculativeConfig speculative, std::uint64_t seed,
                               double time_scale, SecondsClock clock)
    : executor_(executor),
      cost_(std::move(cost)),
      kv_(kv_blocks(cost_, config), config.block_size_tokens, config.prefix_caching),
      scheduler_(config, speculative, kv_),
      random_(seed),
      sampler_([this](std::int32_t drafted) {
        std::int32_t accepted = 0;
        while (accepted < drafted && random_.uniform() < speculative_.acceptance_rate) ++accepted;
        return accepted;
      }),
      speculative_(speculative),
      time_scale_(time_scale),
      clock_(std::move(clock)),
      timer_(executor) {}

RealtimeEngine::~RealtimeEngine() = default;

bool RealtimeEngine::fits(std::int64_t total_tokens) const {
  return kv_.blocks_for(total_tokens) <= kv_.total_blocks();
}

std::uint64_t RealtimeEngine::submit(std::int32_t prompt_tokens, std::int32_t output_tokens,
                                     std::int32_t priority, GenerationCallbacks callbacks) {
  const std::uint64_t id = next_id_++;
  auto pending = std::make_unique<Pending>();
  pending->sequence.id = id;
  pending->sequence.prompt_tokens = std::max(prompt_tokens, 1);
  pending->sequence.output_tokens = std::max(output_tokens, 1);
  pending->sequence.priority = priority;
  pending->sequence.arrival_seconds = clock_();
  pending->callbacks = std::move(callbacks);
  scheduler_.enqueue(&pending->sequence);
  requests_.emplace(id, std::move(pending));
  maybe_start_step();
  return id;
}

void RealtimeEngine::cancel(std::uint64_t id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) {
    return;
  }
  it->second->cancelled = true;
  // A sequence inside the step in flight is removed when that step ends.
  const bool in_flight = stepping_ && std::any_of(plan_.items.begin(), plan_.items.end(),
                                                  [&](const scheduler::ScheduledWork& w) {
                                                    return w.sequence == &it->second->sequence;
                                                  });
  if (!in_flight) {
    scheduler_.abort(&it->second->sequence);
    requests_.erase(it);
  }
}

EngineStatus RealtimeEngine::status() const {
  return EngineStatus{scheduler_.running(), scheduler_.waiting(),
                      static_cast<double>(kv_.used_blocks()) /
                          static_cast<double>(std::max<std::int64_t>(kv_.total_blocks(), 1)),
                      scheduler_.preemptions()};
}

void RealtimeEngine::maybe_start_step() {
  if (stepping_ || !scheduler_.has_work()) {
    return;
  }
  scheduler_.plan_step(plan_, clock_());
  if (plan_.items.empty()) {
    return;
  }
  double seconds = cost_.time(plan_.work).total_seconds();
  if (speculative_.enabled && plan_.decode_sequences > 0) {
    scheduler::StepWork plain;
    plain.decode_tokens = plan_.decode_sequences;
    plain.decode_context_tokens = plan_.work.decode_context_tokens;
    plain.logit_sequences = plan_.decode_sequences;
    seconds += speculative_.draft_tokens * speculative_.draft_cost_ratio *
               cost_.time(plain).total_seconds();
  }
  stepping_ = true;
  timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds * time_scale_)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_step_done();
  });
}

void RealtimeEngine::on_step_done() {
  stepping_ = false;
  Observer observer(*this);
  finished_.clear();
  scheduler_.complete_step(plan_, clock_(), sampler_, observer, finished_);
  for (scheduler::Sequence* sequence : finished_) {
    requests_.erase(sequence->id);
  }
  // Requests cancelled while their step was in flight leave now.
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second->cancelled) {
      scheduler_.abort(&it->second->sequence);
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
  maybe_start_step();
}

}  // namespace scoville::backend
