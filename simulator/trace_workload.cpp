#include "simulator/trace_workload.h"

#include <utility>

namespace scoville::simulator {

Result<std::unique_ptr<TraceWorkload>> TraceWorkload::open(
    const WorkloadSpec& spec, const std::vector<std::string>& class_names, RequestMix mix,
    std::uint64_t seed) {
  // Offline, arrival times are dropped, so they cannot end the replay.
  const TraceLimits limits{
      .max_requests = spec.requests,
      .max_arrival_seconds = spec.offline ? std::nullopt : spec.duration_seconds,
  };
  Result<std::vector<TraceRecord>> records =
      read_trace(spec.trace_path.value_or(""), class_names, limits);
  if (!records) {
    return std::unexpected(records.error());
  }
  return std::unique_ptr<TraceWorkload>(
      new TraceWorkload(std::move(*records), spec.offline, std::move(mix), seed));
}

TraceWorkload::TraceWorkload(std::vector<TraceRecord> records, bool offline, RequestMix mix,
                             std::uint64_t seed)
    : records_(std::move(records)),
      offline_(offline),
      mix_(std::move(mix)),
      class_random_(workload_stream(seed, WorkloadStream::kClasses)),
      prefix_random_(workload_stream(seed, WorkloadStream::kPrefixes)) {}

std::optional<WorkloadRequest> TraceWorkload::next() {
  if (next_record_ >= records_.size()) {
    return std::nullopt;
  }
  const TraceRecord& record = records_[next_record_++];

  WorkloadRequest request;
  request.arrival_seconds = offline_ ? 0.0 : record.arrival_seconds;
  request.input_tokens = record.input_tokens;
  request.output_tokens = record.output_tokens;
  request.class_index =
      record.class_index >= 0 ? record.class_index : mix_.draw_class(class_random_);
  mix_.draw_prefix(request, prefix_random_);
  return request;
}

}  // namespace scoville::simulator
