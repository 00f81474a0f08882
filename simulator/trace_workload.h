#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/result.h"
#include "simulator/random.h"
#include "simulator/request_mix.h"
#include "simulator/trace_reader.h"
#include "simulator/workload_request.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// Replays a trace file. The whole file is read and checked when the source is opened, so that
// every problem surfaces as an error from open() naming the file and line rather than midway
// through a run, where next() could only end the workload early. Rows are kept in a compact
// form (24 bytes each: a few million rows take tens of megabytes).
//
// Rows that name no compute_class get one from the class mix; every row gets a shared-prefix
// group from prefix_groups. Offline, every arrival is moved to t = 0. The replay stops after
// `requests` rows, at the first arrival later than duration_seconds, or at the end of the
// file.
class TraceWorkload final : public RequestSource {
 public:
  // `spec.trace_path` must be set.
  static Result<std::unique_ptr<TraceWorkload>> open(const WorkloadSpec& spec,
                                                     const std::vector<std::string>& class_names,
                                                     RequestMix mix, std::uint64_t seed);

  std::optional<WorkloadRequest> next() override;

  // Requests the replay produces in all.
  std::size_t size() const { return records_.size(); }

 private:
  TraceWorkload(std::vector<TraceRecord> records, bool offline, RequestMix mix, std::uint64_t seed);

  std::vector<TraceRecord> records_;
  bool offline_;
  RequestMix mix_;
  Random class_random_;
  Random prefix_random_;
  std::size_t next_record_ = 0;
};

}  // namespace scoville::simulator
