#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "backend/backend_metrics.h"
#include "backend/realtime_engine.h"
#include "router/http_exchange.h"

namespace scoville::backend {

// Failures a simulated backend injects on purpose, so that retries, fallbacks, timeouts and
// circuit breaking can be tested without a real outage. Delays are wall-clock milliseconds,
// whatever the engine's time scale.
struct FaultSpec {
  double error_rate = 0.0;       // share of requests answered 500
  double rate_limit_rate = 0.0;  // share answered 429 with Retry-After
  int retry_after_seconds = 1;
  std::int64_t drop_after_tokens = 0;   // streams cut after this many tokens (0: never)
  std::int64_t added_latency_ms = 0;    // each completion waits this long before it is served
  std::int64_t stall_after_tokens = 0;  // streams pause after this many tokens (0: never) ...
  std::int64_t stall_ms = 0;            // ... for this long, then go on
  double refuse_rate = 0.0;             // share of new connections reset right after accept
};

// An OpenAI-compatible server in front of a real-time engine: /v1/chat/completions and
// /v1/completions (streamed as server-sent events or whole), /v1/models, /healthz and vLLM's
// metrics at /metrics (see BackendMetrics). Prompt length is estimated from the request text
// (four characters a token); the reply is filler text of max_tokens tokens. Runs on the
// engine's executor, as every call must.
class OpenAiBackend final : public router::HttpHandler {
 public:
  OpenAiBackend(std::string model, RealtimeEngine& engine, FaultSpec faults = {},
                std::uint64_t seed = 1);
  ~OpenAiBackend() override;

  void handle(router::HttpRequest request, std::shared_ptr<router::HttpExchange> exchange) override;

  // Whether to serve a connection just accepted: false for the share FaultSpec::refuse_rate,
  // drawn from the backend's seeded random stream (no draw at all when that share is 0).
  bool accept_connection();

 private:
  struct Completion;
  using CompletionPtr = std::shared_ptr<Completion>;

  void complete(const router::HttpRequest& request, bool chat,
                std::shared_ptr<router::HttpExchange> exchange, double arrival_seconds);
  // Sends now, or after the stream's stall when one is under way, keeping the order.
  void send_or_hold(const CompletionPtr& completion, std::function<void()> send);
  void send_tokens(const CompletionPtr& completion, const std::string& content,
                   std::int32_t tokens);
  void send_end(const CompletionPtr& completion);
  void start_stall(const CompletionPtr& completion);

  const std::string model_;
  RealtimeEngine& engine_;
  const FaultSpec faults_;
  simulator::Random random_;
  BackendMetrics metrics_;
  std::uint64_t next_completion_ = 1;
};

}  // namespace scoville::backend
