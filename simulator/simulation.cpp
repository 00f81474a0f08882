#include "simulator/simulation.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "costmodel/hourly_cost.h"

namespace scoville::simulator {
namespace {

// How often (in events) a run reports progress.
constexpr std::uint64_t kProgressEveryEvents = 1 << 16;

// Replicas draw from their own random streams, numbered clear of the workload's (1 to 5), so
// that changing the fleet never changes the requests.
constexpr std::uint64_t kReplicaStreamBase = 1000;

}  // namespace

Result<std::unique_ptr<Simulation>> Simulation::create(const SimulationSpec& spec,
                                                       const config::Config& config) {
  std::unique_ptr<Simulation> sim(new Simulation());
  sim->dispatcher_ = make_dispatcher(spec.dispatcher);
  if (!sim->dispatcher_) {
    return make_error("unknown dispatcher \"" + spec.dispatcher + "\"");
  }
  if (spec.fleet.empty()) {
    return make_error("the fleet has no replica groups");
  }

  // Classes in catalog order; requests name them by index.
  for (const auto& [id, spec_class] : config.compute_classes) {
    sim->classes_.push_back(ClassInfo{
        id, spec_class.priority, spec_class.ttft_slo_seconds, spec_class.tpot_slo_seconds, {}, {}});
    sim->class_names_.push_back(id);
  }

  Random root(spec.seed);
  for (std::size_t g = 0; g < spec.fleet.size(); ++g) {
    const ReplicaGroupSpec& group_spec = spec.fleet[g];
    const config::DeviceSpec* device = config.find_device(group_spec.device);
    const config::ModelSpec* model = config.find_model(group_spec.model);
    if (device == nullptr || model == nullptr) {
      return make_error(fmt::format("fleet[{}]: unknown device or model", g));
    }
    EngineShape shape{*device,
                      *model,
                      group_spec.tensor_parallel,
                      group_spec.precision,
                      group_spec.kv_precision,
                      group_spec.scheduler.memory_utilization};
    Result<StepCostModel> cost = StepCostModel::create(shape);
    if (!cost) {
      return make_error(
          fmt::format("fleet[{}] ({}): {}", g, group_spec.name, cost.error().message));
    }

    Group group;
    group.spec = group_spec;
    group.cost = std::make_unique<StepCostModel>(std::move(*cost));
    group.device = device;
    group.max_context_tokens = model->max_context_tokens;
    const auto class_it =
        std::find(sim->class_names_.begin(), sim->class_names_.end(), group_spec.compute_class);
    if (class_it == sim->class_names_.end()) {
      return make_error(
          fmt::format("fleet[{}]: unknown compute class \"{}\"", g, group_spec.compute_class));
    }
    group.class_index = static_cast<std::size_t>(class_it - sim->class_names_.begin());

    for (const std::string& assumption : group.cost->assumptions()) {
      if (std::find(sim->assumptions_.begin(), sim->assumptions_.end(), assumption) ==
          sim->assumptions_.end()) {
        sim->assumptions_.push_back(assumption);
      }
    }
    sim->groups_.push_back(std::move(group));
  }

  for (std::size_t g = 0; g < sim->groups_.size(); ++g) {
    const Group& group = sim->groups_[g];
    for (int r = 0; r < group.spec.replicas; ++r) {
      const std::size_t index = sim->replicas_.size();
      sim->replicas_.push_back(std::make_unique<Replica>(
          g, *group.cost, group.spec.scheduler, group.spec.speculative,
          root.fork(kReplicaStreamBase + static_cast<std::uint64_t>(index))));
      sim->classes_[group.class_index].serving_replicas.push_back(index);
    }
  }

  // A class without replicas of its own is served by its fallbacks, in order.
  for (ClassInfo& info : sim->classes_) {
    if (!info.serving_replicas.empty()) continue;
    const config::ComputeClassSpec* class_spec = config.find_compute_class(info.name);
    for (const std::string& fallback : class_spec->fallback_classes) {
      const auto it = std::find(sim->class_names_.begin(), sim->class_names_.end(), fallback);
      if (it == sim->class_names_.end()) continue;
      for (std::size_t g = 0; g < sim->groups_.size(); ++g) {
        if (sim->groups_[g].spec.compute_class != fallback) continue;
        for (std::size_t r = 0; r < sim->replicas_.size(); ++r) {
          if (sim->replicas_[r]->group() == g) info.serving_replicas.push_back(r);
        }
      }
      if (!info.serving_replicas.empty()) break;
    }
  }
  return sim;
}

void Simulation::push(double time_seconds, EventKind kind, std::uint32_t target) {
  events_.push(Event{time_seconds, next_event_sequence_++, kind, target});
}

scheduler::Sequence* Simulation::acquire_sequence() {
  if (free_sequences_.empty()) {
    sequence_storage_.emplace_back();
    return &sequence_storage_.back();
  }
  scheduler::Sequence* sequence = free_sequences_.back();
  free_sequences_.pop_back();
  *sequence = scheduler::Sequence{};
  return sequence;
}

void Simulation::reject(std::size_t class_index, const std::string& reason) {
  classes_[class_index].metrics.rejected += 1;
  overall_.rejected += 1;
  rejections_[reason] += 1;
  ++done_;
}

void Simulation::arrive(const WorkloadRequest& request, double now_seconds) {
  ++arrived_;
  if (!first_arrival_seconds_) first_arrival_seconds_ = now_seconds;
  const auto class_index = static_cast<std::size_t>(request.class_index);
  const ClassInfo& info = classes_[class_index];
  if (info.serving_replicas.empty()) {
    reject(class_index, "no replica serves class " + info.name);
    return;
  }

  // Candidates are the class's replicas that can hold the whole request.
  const std::int64_t total_tokens = std::int64_t{request.input_tokens} + request.output_tokens;
  loads_.clear();
  bool too_long_for_model = true;
  for (std::size_t r : info.serving_replicas) {
    const Replica& replica = *replicas_[r];
    if (total_tokens > groups_[replica.group()].max_context_tokens) continue;
    too_long_for_model = false;
    if (!replica.fits(total_tokens)) continue;
    loads_.push_back(ReplicaLoad{r, replica.outstanding(), replica.kv_utilization(), 1.0});
  }
  if (loads_.empty()) {
    reject(class_index, too_long_for_model ? "longer than the model's context window"
                                           : "larger than a replica's KV cache");
    return;
  }

  scheduler::Sequence* sequence = acquire_sequence();
  sequence->id = next_request_id_++;
  sequence->class_index = request.class_index;
  sequence->priority = info.priority;
  sequence->arrival_seconds = now_seconds;
  sequence->prompt_tokens = request.input_tokens;
  sequence->output_tokens = request.output_tokens;
  sequence->prefix_group = request.prefix_group;
  sequence->prefix_tokens = std::min(request.prefix_tokens, request.input_tokens - 1);

  const std::size_t chosen = loads_[dispatcher_->choose(*sequence, loads_)].replica;
  replicas_[chosen]->enqueue(sequence);
  kick(chosen, now_seconds);
}

void Simulation::kick(std::size_t replica, double now_seconds) {
  Replica& r = *replicas_[replica];
  if (r.stepping() || r.start_pending()) {
    return;
  }
  const double window = r.config().microbatch_window_seconds;
  if (window > 0.0) {
    // An idle engine waits a moment so that near-simultaneous arrivals share a step.
    r.set_start_pending(true);
    push(now_seconds + window, EventKind::kStepStart, static_cast<std::uint32_t>(replica));
    return;
  }
  start_step(replica, now_seconds);
}

void Simulation::start_step(std::size_t replica, double now_seconds) {
  const std::optional<double> duration = replicas_[replica]->begin_step(now_seconds);
  if (duration) {
    push(now_seconds + *duration, EventKind::kStepEnd, static_cast<std::uint32_t>(replica));
  }
}

void Simulation::finish_step(std::size_t replica, double now_seconds) {
  Replica& r = *replicas_[replica];
  current_group_ = r.group();
  finished_.clear();
  r.end_step(now_seconds, *this, finished_);
  for (scheduler::Sequence* sequence : finished_) {
    free_sequences_.push_back(sequence);
  }
  // Continuous batching: the next step starts as soon as this one ends.
  start_step(replica, now_seconds);
}

void Simulation::on_tokens(const scheduler::Sequence& sequence, std::int32_t tokens,
                           double gap_seconds, bool first) {
  RequestMetrics& by_class = classes_[static_cast<std::size_t>(sequence.class_index)].metrics;
  RequestMetrics& by_group = groups_[current_group_].metrics;
  if (first) {
    by_class.ttft.add(gap_seconds);
    by_group.ttft.add(gap_seconds);
    tokens -= 1;
    if (tokens == 0) return;
  }
  // Tokens that arrive together (accepted drafts) share the gap evenly.
  const double per_token = gap_seconds / tokens;
  by_class.itl.add(per_token, static_cast<std::uint64_t>(tokens));
  by_group.itl.add(per_token, static_cast<std::uint64_t>(tokens));
}

void Simulation::on_finished(const scheduler::Sequence& sequence, double now_seconds) {
  const ClassInfo& info = classes_[static_cast<std::size_t>(sequence.class_index)];
  const double ttft = sequence.first_token_seconds - sequence.arrival_seconds;
  const double e2e = now_seconds - sequence.arrival_seconds;
  const double tpot = sequence.output_tokens > 1 ? (now_seconds - sequence.first_token_seconds) /
                                                       (sequence.output_tokens - 1)
                                                 : 0.0;
  const bool met = ttft <= info.ttft_slo_seconds && tpot <= info.tpot_slo_seconds;

  for (RequestMetrics* m : {&classes_[static_cast<std::size_t>(sequence.class_index)].metrics,
                            &groups_[current_group_].metrics, &overall_}) {
    m->finished += 1;
    m->input_tokens += static_cast<std::uint64_t>(sequence.prompt_tokens);
    m->output_tokens += static_cast<std::uint64_t>(sequence.output_tokens);
    m->cached_prompt_tokens += static_cast<std::uint64_t>(sequence.cached_prompt_tokens);
    m->preempted_requests += sequence.preemptions > 0 ? 1 : 0;
    if (met) {
      m->sla_met += 1;
      m->sla_output_tokens += static_cast<std::uint64_t>(sequence.output_tokens);
    }
    m->e2e.add(e2e);
    if (sequence.output_tokens > 1) m->tpot.add(tpot);
  }
  // The fleet-wide latency histograms of tokens are merged from the classes at the end.
  ++done_;
  last_completion_seconds_ = std::max(last_completion_seconds_, now_seconds);
}

Result<SimulationResult> Simulation::run(RequestSource& source, const ProgressCallback& progress) {
  std::optional<WorkloadRequest> pending = source.next();
  if (pending) {
    push(pending->arrival_seconds, EventKind::kArrival, 0);
  }

  std::uint64_t processed = 0;
  double now = 0.0;
  while (!events_.empty()) {
    const Event event = events_.top();
    events_.pop();
    now = event.time_seconds;
    ++processed;

    switch (event.kind) {
      case EventKind::kArrival: {
        if (pending->class_index < 0 ||
            static_cast<std::size_t>(pending->class_index) >= classes_.size()) {
          return make_error(fmt::format("request {} names class index {}, outside the {} classes",
                                        arrived_, pending->class_index, classes_.size()));
        }
        arrive(*pending, now);
        pending = source.next();
        if (pending) {
          // Arrivals never go back in time, whatever the source says.
          push(std::max(pending->arrival_seconds, now), EventKind::kArrival, 0);
        }
        break;
      }
      case EventKind::kStepStart:
        replicas_[event.target]->set_start_pending(false);
        start_step(event.target, now);
        break;
      case EventKind::kStepEnd:
        finish_step(event.target, now);
        break;
    }
    if (progress && processed % kProgressEveryEvents == 0) {
      progress(now, arrived_);
    }
  }

  // Every request must be accounted for; anything left means the model wedged.
  if (done_ != arrived_) {
    return make_error(fmt::format(
        "simulation stalled with {} of {} requests unfinished (a scheduler could not make "
        "progress); this is a bug, please report the configuration",
        arrived_ - done_, arrived_));
  }
  // The run lasts from the first arrival, so a trace's clock offset changes nothing.
  const double start = first_arrival_seconds_.value_or(0.0);
  SimulationResult result = summarize(std::max(0.0, last_completion_seconds_ - start));
  result.events = processed;
  return result;
}

SimulationResult Simulation::summarize(double duration_seconds) const {
  SimulationResult result;
  result.duration_seconds = duration_seconds;
  result.requests = arrived_;
  result.overall = overall_;
  result.rejections = rejections_;
  result.assumptions = assumptions_;

  for (const ClassInfo& info : classes_) {
    if (info.metrics.finished == 0 && info.metrics.rejected == 0) continue;
    result.overall.ttft.merge(info.metrics.ttft);
    result.overall.itl.merge(info.metrics.itl);
    result.classes.push_back(
        ClassResult{info.name, info.ttft_slo_seconds, info.tpot_slo_seconds, info.metrics});
  }

  for (std::size_t g = 0; g < groups_.size(); ++g) {
    result.groups.push_back(summarize_groups({g}, duration_seconds));
    for (const std::string& field : groups_[g].device->assumed_fields) {
      if (field.rfind("cost.", 0) != 0) continue;
      const std::string note = groups_[g].device->id + "." + field + " (assumed)";
      if (std::find(result.assumptions.begin(), result.assumptions.end(), note) ==
          result.assumptions.end()) {
        result.assumptions.push_back(note);
      }
    }
  }

  // Per device type: every group on the same device, whatever its model or class.
  std::vector<std::string> devices;
  for (const Group& group : groups_) {
    if (std::find(devices.begin(), devices.end(), group.spec.device) == devices.end()) {
      devices.push_back(group.spec.device);
    }
  }
  for (const std::string& device : devices) {
    std::vector<std::size_t> members;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].spec.device == device) members.push_back(g);
    }
    GroupResult aggregate = summarize_groups(members, duration_seconds);
    aggregate.name = device;
    result.devices.push_back(std::move(aggregate));
  }
  return result;
}

namespace {

// "a" for one distinct value, "a,b" for several.
void add_distinct(std::string& list, const std::string& value) {
  if (list.empty()) {
    list = value;
    return;
  }
  if (("," + list + ",").find("," + value + ",") == std::string::npos) list += "," + value;
}

}  // namespace

GroupResult Simulation::summarize_groups(const std::vector<std::size_t>& members,
                                         double duration_seconds) const {
  GroupResult out;
  double devices = 0.0;
  double device_busy_seconds = 0.0;
  double kv_share_seconds = 0.0;
  for (std::size_t g : members) {
    const Group& group = groups_[g];
    add_distinct(out.name, group.spec.name);
    add_distinct(out.device, group.spec.device);
    add_distinct(out.model, group.spec.model);
    add_distinct(out.compute_class, group.spec.compute_class);
    add_distinct(out.precision, std::string(config::precision_name(group.spec.precision)));
    out.replicas += group.spec.replicas;
    out.tensor_parallel = std::max(out.tensor_parallel, group.spec.tensor_parallel);
    // For several groups, the smallest replica's: the one that rejects first.
    out.kv_capacity_tokens =
        out.kv_capacity_tokens == 0.0
            ? group.cost->kv_capacity_tokens()
            : std::min(out.kv_capacity_tokens, group.cost->kv_capacity_tokens());
    out.metrics.merge(group.metrics);

    double group_busy = 0.0;
    for (const auto& replica : replicas_) {
      if (replica->group() != g) continue;
      const ReplicaStats& s = replica->stats();
      group_busy += s.busy_seconds;
      out.stats.busy_seconds += s.busy_seconds;
      out.stats.prefill_seconds += s.prefill_seconds;
      out.stats.steps += s.steps;
      out.stats.compute_bound_steps += s.compute_bound_steps;
      out.stats.batch_sequences += s.batch_sequences;
      out.stats.step_tokens += s.step_tokens;
      out.stats.token_budget += s.token_budget;
      out.stats.sequence_slots += s.sequence_slots;
      out.stats.kv_block_seconds += s.kv_block_seconds;
      out.stats.prefill_tokens += s.prefill_tokens;
      out.preemptions += replica->preemptions();
      out.prefix_hits += replica->kv_cache().prefix_hits();
      out.prefix_lookups += replica->kv_cache().prefix_lookups();
      kv_share_seconds +=
          s.kv_block_seconds / static_cast<double>(replica->kv_cache().total_blocks());
    }

    // Each group's hourly cost at its own utilisation (power draw depends on it).
    const double group_devices = group.spec.tensor_parallel * group.spec.replicas;
    const double group_utilization =
        duration_seconds > 0.0 ? group_busy / group.spec.replicas / duration_seconds : 0.0;
    out.hourly_cost_usd +=
        costmodel::hourly_cost(*group.device, group_utilization).total_usd_per_hour() *
        group_devices;
    devices += group_devices;
    device_busy_seconds += group_busy * group.spec.tensor_parallel;
  }

  const double busy_per_replica = out.stats.busy_seconds / out.replicas;
  out.utilization = duration_seconds > 0.0 ? device_busy_seconds / devices / duration_seconds : 0.0;
  const double steps = static_cast<double>(out.stats.steps);
  out.mean_batch_sequences = steps > 0 ? out.stats.batch_sequences / steps : 0.0;
  out.token_budget_occupancy =
      out.stats.token_budget > 0 ? out.stats.step_tokens / out.stats.token_budget : 0.0;
  out.sequence_occupancy =
      out.stats.sequence_slots > 0 ? out.stats.batch_sequences / out.stats.sequence_slots : 0.0;
  out.mean_kv_utilization =
      out.stats.busy_seconds > 0.0 ? kv_share_seconds / out.stats.busy_seconds : 0.0;

  // Cost through the cost model, with T and U as measured: C / (T x 3600 x U) x 1e6.
  const double served = static_cast<double>(out.metrics.input_tokens + out.metrics.output_tokens);
  if (served > 0.0 && busy_per_replica > 0.0 && out.utilization > 0.0) {
    out.tokens_per_second_busy = served / busy_per_replica;
    config::ThroughputSpec throughput;
    throughput.tokens_per_second = served / (out.stats.busy_seconds / out.replicas);
    throughput.utilization = out.stats.busy_seconds / out.replicas / duration_seconds;
    throughput.input_token_share = static_cast<double>(out.metrics.input_tokens) / served;
    throughput.prefill_time_share = out.stats.prefill_seconds / out.stats.busy_seconds;
    out.cost = costmodel::token_cost(out.hourly_cost_usd, throughput);
  }
  return out;
}

}  // namespace scoville::simulator
