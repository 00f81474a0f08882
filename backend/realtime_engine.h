#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "router/asio.h"
#include "scheduler/batch_scheduler.h"
#include "scheduler/kv_cache.h"
#include "simulator/random.h"
#include "simulator/step_cost_model.h"

namespace scoville::backend {

namespace asio = boost::asio;

// What the engine tells a request's owner as it runs.
struct GenerationCallbacks {
  // `tokens` new tokens are ready (the first call is the first token).
  std::function<void(std::int32_t tokens)> on_tokens;
  // The request is done; `preemptions` counts how often it was recomputed.
  std::function<void(std::int32_t preemptions)> on_finished;
};

// Seconds on a monotonic clock, from an arbitrary origin. Injected so that tests control time.
using SecondsClock = std::function<double()>;

// std::chrono::steady_clock in seconds.
SecondsClock steady_seconds_clock();

// Counters and gauges a metrics endpoint exposes.
struct EngineStatus {
  std::size_t running = 0;
  std::size_t waiting = 0;
  double kv_utilization = 0.0;
  std::int64_t preemptions = 0;
};

// The simulator's inference core in real time: the same scheduler and step timing, with each
// step's duration waited out on a timer, so that tokens stream at the pace the device would
// produce them and latency rises with load. Runs on one executor; every call must come from it.
// `clock` only tells the time (arrivals, token times, now_seconds() for whoever measures
// latency against the engine); the timers wait in real time whatever it says.
class RealtimeEngine {
 public:
  RealtimeEngine(asio::any_io_executor executor, simulator::StepCostModel cost,
                 scheduler::SchedulerConfig config, scheduler::SpeculativeConfig speculative,
                 std::uint64_t seed, double time_scale,
                 SecondsClock clock = steady_seconds_clock());
  ~RealtimeEngine();

  RealtimeEngine(const RealtimeEngine&) = delete;
  RealtimeEngine& operator=(const RealtimeEngine&) = delete;

  // Whether a request of this many tokens can ever fit the KV cache.
  bool fits(std::int64_t total_tokens) const;

  // Queues a request; returns its id. Callbacks run on the engine's executor.
  std::uint64_t submit(std::int32_t prompt_tokens, std::int32_t output_tokens,
                       std::int32_t priority, GenerationCallbacks callbacks);

  // Drops a request whose client went away; its KV is freed at the next step boundary.
  void cancel(std::uint64_t id);

  EngineStatus status() const;

  // The engine's time: when a callback runs, the time its tokens were produced.
  double now_seconds() const { return clock_(); }
  asio::any_io_executor executor() const { return executor_; }

 private:
  struct Pending;
  class Observer;

  void maybe_start_step();
  void on_step_done();

  asio::any_io_executor executor_;
  simulator::StepCostModel cost_;
  scheduler::KvCache kv_;
  scheduler::BatchScheduler scheduler_;
  simulator::Random random_;
  scheduler::AcceptanceSampler sampler_;
  const scheduler::SpeculativeConfig speculative_;
  const double time_scale_;  // wall seconds per simulated second (1 = real time)
  const SecondsClock clock_;

  asio::steady_timer timer_;
  scheduler::StepPlan plan_;
  bool stepping_ = false;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Pending>> requests_;
  std::vector<scheduler::Sequence*> finished_;
};

}  // namespace scoville::backend
