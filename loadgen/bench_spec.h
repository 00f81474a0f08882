#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/result.h"
#include "loadgen/class_mix.h"
#include "loadgen/target_url.h"
#include "simulator/workload_spec.h"

namespace scoville::loadgen {

// Which OpenAI API the requests use.
enum class Endpoint { kChat, kCompletions };

// "/v1/chat/completions" or "/v1/completions".
std::string_view endpoint_path(Endpoint endpoint);

// "chat" or "completions", as the command line spells them.
std::string_view endpoint_name(Endpoint endpoint);
std::optional<Endpoint> find_endpoint(std::string_view name);

// Reads a request header given as "Name: value". The name must be an HTTP token and not one
// the load generator sets per request (Content-Length, Transfer-Encoding); the value may not
// hold line breaks. Spaces around both are dropped.
Result<std::pair<std::string, std::string>> parse_header(std::string_view text);

// Everything a benchmark run needs, already checked: the command line builds it.
struct BenchSpec {
  TargetUrl url;
  Endpoint endpoint = Endpoint::kChat;
  std::string model;  // empty: the first model GET /v1/models lists
  bool stream = true;

  // Closed loop: this many connections, each sending its next request when one ends. With a
  // rate (open loop), the most requests in flight at once; later arrivals wait for one to end.
  int concurrency = 8;
  std::optional<double> rate_per_second;  // open-loop Poisson arrivals

  // Exactly one of these bounds the run: a number of measured requests, or a time after
  // which no request starts (requests in flight then still finish).
  std::optional<std::int64_t> requests;
  std::optional<double> duration_seconds;
  std::int64_t warmup_requests = 0;  // sent first and left out of every statistic

  simulator::LengthDistribution input_tokens;
  simulator::LengthDistribution max_tokens;
  ClassMix class_mix;

  // Extra request headers as given, and the per-request deadline.
  std::vector<std::pair<std::string, std::string>> headers;
  double timeout_seconds = 60.0;
  std::uint64_t seed = 1;
};

}  // namespace scoville::loadgen
