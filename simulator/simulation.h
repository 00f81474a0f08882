#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

#include "config/config.h"
#include "config/result.h"
#include "scheduler/batch_scheduler.h"
#include "simulator/dispatcher.h"
#include "simulator/replica.h"
#include "simulator/simulation_result.h"
#include "simulator/simulation_spec.h"
#include "simulator/step_cost_model.h"
#include "simulator/workload_request.h"

namespace scoville::simulator {

// Called now and then during a run with the simulated time and requests arrived so far.
using ProgressCallback = std::function<void(double simulated_seconds, std::uint64_t requests)>;

// A discrete-event simulation of a fleet serving a workload. Events are ordered by (time,
// insertion sequence), so equal times resolve the same way every run and a seed reproduces a
// run bit for bit. Every arriving request ends finished or rejected with a reason.
class Simulation final : private scheduler::StepObserver {
 public:
  // Builds the fleet; fails naming the group when a model does not fit or a precision is
  // missing.
  static Result<std::unique_ptr<Simulation>> create(const SimulationSpec& spec,
                                                    const config::Config& config);

  // Runs `source` to exhaustion and until every request is done.
  Result<SimulationResult> run(RequestSource& source, const ProgressCallback& progress = {});

  const std::vector<std::string>& class_names() const { return class_names_; }

 private:
  enum class EventKind : std::uint8_t { kArrival, kStepStart, kStepEnd };
  struct Event {
    double time_seconds;
    std::uint64_t sequence;
    EventKind kind;
    std::uint32_t target;  // replica index
    bool operator>(const Event& other) const {
      return time_seconds != other.time_seconds ? time_seconds > other.time_seconds
                                                : sequence > other.sequence;
    }
  };
  struct Group {
    ReplicaGroupSpec spec;
    std::unique_ptr<StepCostModel> cost;
    const config::DeviceSpec* device = nullptr;
    int max_context_tokens = 0;
    std::size_t class_index = 0;
    RequestMetrics metrics;
  };
  struct ClassInfo {
    std::string name;
    std::int32_t priority = 0;
    double ttft_slo_seconds = 0.0;
    double tpot_slo_seconds = 0.0;
    std::vector<std::size_t> serving_replicas;  // own replicas, then fallback classes'
    RequestMetrics metrics;
  };

  Simulation() = default;

  void push(double time_seconds, EventKind kind, std::uint32_t target);
  void arrive(const WorkloadRequest& request, double now_seconds);
  void reject(std::size_t class_index, const std::string& reason);
  void kick(std::size_t replica, double now_seconds);
  void start_step(std::size_t replica, double now_seconds);
  void finish_step(std::size_t replica, double now_seconds);
  scheduler::Sequence* acquire_sequence();
  SimulationResult summarize(double duration_seconds) const;
  // Aggregates the replica groups `members` (one group, or every group on a device).
  GroupResult summarize_groups(const std::vector<std::size_t>& members,
                               double duration_seconds) const;

  // StepObserver
  void on_tokens(const scheduler::Sequence& sequence, std::int32_t tokens, double gap_seconds,
                 bool first) override;
  void on_finished(const scheduler::Sequence& sequence, double now_seconds) override;

  std::vector<Group> groups_;
  std::vector<ClassInfo> classes_;
  std::vector<std::string> class_names_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<std::string> assumptions_;

  // Per run.
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t next_event_sequence_ = 0;
  std::deque<scheduler::Sequence> sequence_storage_;  // stable addresses
  std::vector<scheduler::Sequence*> free_sequences_;
  std::vector<scheduler::Sequence*> finished_;
  std::vector<ReplicaLoad> loads_;
  std::size_t current_group_ = 0;
  std::uint64_t next_request_id_ = 0;
  std::uint64_t arrived_ = 0;
  std::uint64_t done_ = 0;
  double last_completion_seconds_ = 0.0;
  std::optional<double> first_arrival_seconds_;
  RequestMetrics overall_;
  std::map<std::string, std::uint64_t> rejections_;
};

}  // namespace scoville::simulator
