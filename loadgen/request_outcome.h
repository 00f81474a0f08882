#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace scoville::loadgen {

// Why a request failed, in the order reports list the kinds.
enum class FailureKind {
  kConnect,      // no TCP connection (refused, unreachable, name not resolved)
  kTimeout,      // no complete response within the request's deadline
  kHttp4xx,      // the server answered 400..499
  kHttp5xx,      // the server answered 500..599
  kStreamError,  // an SSE {"error": ...} event, or a stream that ended before [DONE]
  kProtocol,     // anything else malformed: bad HTTP, a body that is not the API's JSON,
                 // a connection closed before the response, an unexpected status
};

inline constexpr std::size_t kFailureKinds = 6;

// The names reports and JSON keys use: "connect", "timeout", "http_4xx", "http_5xx",
// "stream_error", "protocol".
inline constexpr std::array<std::string_view, kFailureKinds> kFailureKindNames = {
    "connect", "timeout", "http_4xx", "http_5xx", "stream_error", "protocol"};

inline std::string_view failure_kind_name(FailureKind kind) {
  return kFailureKindNames[static_cast<std::size_t>(kind)];
}

// How one request ended. The views point into the connection's buffers and are valid only
// while the outcome is being handed over.
struct RequestOutcome {
  std::optional<FailureKind> failure;  // nothing: the request succeeded
  int http_status = 0;                 // 0 when no status line arrived
  std::string_view error_message;      // a one-line description of the failure

  // From the request's start (its scheduled arrival in an open loop): to the first event
  // with content (streams only), and to the end of the response.
  std::optional<double> ttft_seconds;
  double total_seconds = 0.0;
  // Between consecutive content events of a stream.
  std::span<const double> inter_token_gaps_seconds;

  // usage.completion_tokens when the server sent it, else the content events of a stream
  // (or the characters of a whole reply over four).
  std::int64_t output_tokens = 0;
};

}  // namespace scoville::loadgen
