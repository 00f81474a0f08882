#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/object_reader.h"

namespace scoville::config {

// How many tokens a device sustains and how its busy time divides between prefill and
// decode: the T and U of C / (T x 3600 x U), and what splits that cost into input and output.
struct ThroughputSpec {
  double tokens_per_second = 0.0;   // input plus output, while busy
  double utilization = 0.0;         // share of wall time the device is busy
  double input_token_share = 0.5;   // input tokens over all tokens
  double prefill_time_share = 0.5;  // share of busy time spent on prefill
};

// Reads the throughput fields of an object that may also hold other fields; the reader keeps
// track of them so the caller can reject unknown keys afterwards.
ThroughputSpec read_throughput_fields(ObjectReader& reader);

}  // namespace scoville::config
