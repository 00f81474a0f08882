#pragma once

#include <memory>
#include <string>

#include "backend/realtime_engine.h"
#include "router/http_exchange.h"

namespace scoville::backend {

// An OpenAI-compatible server in front of a real-time engine: /v1/chat/completions and
// /v1/completions (streamed as server-sent events or whole), /v1/models, /healthz and
// vLLM-style gauges at /metrics. Prompt length is estimated from the request text (four
// characters a token); the reply is filler text of max_tokens tokens.
// Failures a simulated backend injects on purpose, so that retries, fallbacks and circuit
// breaking can be tested without a real outage.
struct FaultSpec {
  double error_rate = 0.0;       // share of requests answered 500
  double rate_limit_rate = 0.0;  // share answered 429 with Retry-After
  int retry_after_seconds = 1;
  std::int64_t drop_after_tokens = 0;  // streams cut after this many tokens (0: never)
};

class OpenAiBackend final : public router::HttpHandler {
 public:
  OpenAiBackend(std::string model, RealtimeEngine& engine, FaultSpec faults = {},
                std::uint64_t seed = 1);

  void handle(router::HttpRequest request, std::shared_ptr<router::HttpExchange> exchange) override;

 private:
  void complete(const router::HttpRequest& request, bool chat,
                std::shared_ptr<router::HttpExchange> exchange);

  const std::string model_;
  RealtimeEngine& engine_;
  const FaultSpec faults_;
  simulator::Random random_;
  std::uint64_t next_completion_ = 1;
};

// An error response in OpenAI's shape: {"error": {"message", "type", "param", "code"}}.
router::HttpResponse openai_error(boost::beast::http::status status, const std::string& message,
                                  const std::string& type, unsigned version);

}  // namespace scoville::backend
