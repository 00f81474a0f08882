#pragma once

#include <cstdint>
#include <optional>

#include "simulator/arrival_process.h"
#include "simulator/length_sampler.h"
#include "simulator/random.h"
#include "simulator/request_mix.h"
#include "simulator/workload_request.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// A generated workload: arrival times from the arrival process (all t = 0 offline), prompt
// and output lengths from their distributions, a class from the class mix and a shared-prefix
// group. It stops after `requests` requests or at the first arrival later than
// duration_seconds, whichever comes first.
//
// Each part draws from its own stream forked from the seed (arrivals, input lengths, output
// lengths, classes, prefixes), so changing one part of a spec, say the output lengths, leaves
// the arrival times and every other part of the workload exactly as they were.
class SyntheticWorkload final : public RequestSource {
 public:
  // `spec` must be valid: make_request_source checks it. An online spec needs
  // arrival.rate_per_second > 0, and at least one of requests and duration_seconds.
  SyntheticWorkload(const WorkloadSpec& spec, RequestMix mix, std::uint64_t seed);

  std::optional<WorkloadRequest> next() override;

 private:
  std::optional<std::int64_t> max_requests_;
  std::optional<double> duration_seconds_;
  std::optional<ArrivalProcess> arrivals_;  // empty offline
  LengthSampler input_tokens_;
  LengthSampler output_tokens_;
  RequestMix mix_;

  Random input_random_;
  Random output_random_;
  Random class_random_;
  Random prefix_random_;
  std::int64_t produced_ = 0;
  bool exhausted_ = false;
};

}  // namespace scoville::simulator
