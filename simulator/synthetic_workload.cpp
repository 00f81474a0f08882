#include "simulator/synthetic_workload.h"

#include <cassert>
#include <utility>

namespace scoville::simulator {

SyntheticWorkload::SyntheticWorkload(const WorkloadSpec& spec, RequestMix mix, std::uint64_t seed)
    : max_requests_(spec.requests),
      duration_seconds_(spec.duration_seconds),
      input_tokens_(spec.input_tokens),
      output_tokens_(spec.output_tokens),
      mix_(std::move(mix)),
      input_random_(workload_stream(seed, WorkloadStream::kInputTokens)),
      output_random_(workload_stream(seed, WorkloadStream::kOutputTokens)),
      class_random_(workload_stream(seed, WorkloadStream::kClasses)),
      prefix_random_(workload_stream(seed, WorkloadStream::kPrefixes)) {
  if (!spec.offline) {
    arrivals_.emplace(spec.arrival, workload_stream(seed, WorkloadStream::kArrivals));
  }
  assert(max_requests_ || (duration_seconds_ && !spec.offline));
}

std::optional<WorkloadRequest> SyntheticWorkload::next() {
  if (exhausted_ || (max_requests_ && produced_ >= *max_requests_)) {
    exhausted_ = true;
    return std::nullopt;
  }

  WorkloadRequest request;
  request.arrival_seconds = arrivals_ ? arrivals_->next_arrival_seconds() : 0.0;
  if (duration_seconds_ && request.arrival_seconds > *duration_seconds_) {
    exhausted_ = true;
    return std::nullopt;
  }

  request.input_tokens = input_tokens_.sample(input_random_);
  request.output_tokens = output_tokens_.sample(output_random_);
  request.class_index = mix_.draw_class(class_random_);
  mix_.draw_prefix(request, prefix_random_);
  ++produced_;
  return request;
}

}  // namespace scoville::simulator
