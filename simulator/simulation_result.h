#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "costmodel/token_cost.h"
#include "simulator/replica.h"
#include "simulator/request_metrics.h"

namespace scoville::simulator {

// What the requests of one compute class experienced.
struct ClassResult {
  std::string name;
  double ttft_slo_seconds = 0.0;
  double tpot_slo_seconds = 0.0;
  RequestMetrics metrics;
};

// What one replica group did and what its tokens cost.
struct GroupResult {
  std::string name;
  std::string device;
  std::string model;
  std::string compute_class;
  std::string precision;
  int replicas = 0;
  int tensor_parallel = 1;
  double kv_capacity_tokens = 0.0;  // per replica (the smallest, for a device aggregate)
  RequestMetrics metrics;
  ReplicaStats stats;  // summed over the group's replicas
  std::int64_t preemptions = 0;
  std::int64_t prefix_hits = 0;
  std::int64_t prefix_lookups = 0;
  double utilization = 0.0;             // busy share of the run, per replica
  double mean_batch_sequences = 0.0;    // per step
  double token_budget_occupancy = 0.0;  // tokens per step over the scheduler's token budget
  double sequence_occupancy = 0.0;      // sequences per step over the scheduler's max_num_seqs
  double mean_kv_utilization = 0.0;     // over busy time
  double hourly_cost_usd = 0.0;         // the whole group, at the measured utilisation
  double tokens_per_second_busy = 0.0;  // T: served tokens per busy second, per replica
  costmodel::TokenCost cost;            // through the cost model with T and U measured
};

// The outcome of one simulation run.
struct SimulationResult {
  double duration_seconds = 0.0;  // simulated, from the first arrival to the last completion
  std::uint64_t events = 0;
  std::uint64_t requests = 0;  // arrived
  RequestMetrics overall;
  std::vector<ClassResult> classes;
  std::vector<GroupResult> groups;
  std::vector<GroupResult> devices;                 // the groups aggregated by device type
  std::map<std::string, std::uint64_t> rejections;  // reason -> requests
  std::vector<std::string> assumptions;
};

}  // namespace scoville::simulator
