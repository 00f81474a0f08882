#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/access_log.h"
#include "router/connection_pool.h"
#include "router/fleet.h"
#include "router/http_exchange.h"
#include "router/retry_backoff.h"
#include "router/router_metrics.h"
#include "router/sse_event.h"
#include "router/upstream_call.h"

namespace scoville::router {

// How patient the proxy is, for every request of one router.
struct ProxySettings {
  CallTimeouts call;
  std::chrono::milliseconds total_timeout{600'000};
  RetryPolicy retry;
  // When the router checks API keys itself, the client's key is not passed on upstream.
  bool forward_client_authorization = true;
};

// What one worker thread shares among the requests it runs (none of it is thread-safe
// except the fleet, the metrics and the log).
struct ProxyContext {
  IoExecutor executor;
  ConnectionPool& pool;
  Fleet& fleet;
  const ProxySettings& settings;
  RouterMetrics& metrics;
  AccessLog* access_log;  // null when disabled
  std::mt19937_64& random;
};

// A client request after validation: where it goes and what to send.
struct RoutedRequest {
  std::string request_id;
  HttpRequest client_request;  // as received, without its body
  std::string body;            // the body to send: Scoville's own fields removed, usage asked
  std::string body_model;      // the "model" in `body`
  std::string model;           // client-facing model, class suffix removed
  std::string requested_class;
  std::string class_source;
  bool stream = false;
  bool client_wants_usage = false;  // the client itself asked for the usage chunk
};

// Carries one client request to a backend and the answer back: picks a backend, retries
// and falls back while nothing has reached the client, relays a stream chunk by chunk while
// measuring TTFT and inter-token gaps, and ends every request with exactly one response (or
// one clean end of stream) and one access-log line.
class ProxyRequest final : public CallListener, public std::enable_shared_from_this<ProxyRequest> {
 public:
  ProxyRequest(ProxyContext context, RoutedRequest request, std::shared_ptr<HttpExchange> exchange);
  ~ProxyRequest() override;

  void start();

  void on_header(const UpstreamResponseHeader& header) override;
  void on_body(std::string_view bytes) override;
  void on_complete() override;
  void on_failure(CallFailure failure, const std::string& detail, bool response_started) override;

 private:
  enum class Mode { kNone, kStream, kWhole, kRetryableError };
  using TimePoint = std::chrono::steady_clock::time_point;

  // The client hung up before its response was written: the backend is let go at once.
  void on_client_gone();
  void next_attempt(std::optional<Choice> choice);
  void send_attempt(const Choice& choice);
  // The bytes of the request to send to `upstream`.
  std::string upstream_request(const Upstream& upstream) const;
  void retry_or_give_up(const std::string& reason, std::chrono::milliseconds retry_after);
  void give_up();
  void record_attempt_ok();
  void forward_whole();
  void relay_events(std::string_view bytes);
  // A content event arrived at `now`: TTFT or one more inter-token gap.
  void note_content(TimePoint now);
  void start_client_stream();
  void end_with_stream_error(const std::string& message);
  void on_client_sent(std::size_t bytes);
  void respond(HttpResponse response);
  // X-Request-Id, X-Compute-Class and, once a backend was chosen, X-Model-Backend (an empty
  // name otherwise).
  std::array<HeaderField, 3> router_headers() const;
  void add_router_headers(http::fields& fields) const;
  void finish(unsigned status, const std::string& outcome, const std::string& error = "");

  ProxyContext context_;
  RoutedRequest request_;
  std::shared_ptr<HttpExchange> exchange_;
  const TimePoint started_at_;
  const TimePoint deadline_;
  const std::vector<std::string>& chain_;  // owned by the fleet

  // The attempt under way.
  std::shared_ptr<UpstreamCall> call_;
  std::optional<Choice> current_;
  const RouterMetrics::BackendSeries* series_ = nullptr;  // the current backend's, if prepared
  Mode mode_ = Mode::kNone;
  // The current call's response header, owned by the call: valid while call_ is.
  const UpstreamResponseHeader* upstream_header_ = nullptr;
  std::string whole_body_;
  SseSplitter splitter_;
  OpenAiEventClassifier classifier_;
  bool whole_body_truncated_ = false;

  // Across attempts.
  int attempts_ = 0;
  TriedBackends tried_;
  std::vector<std::string> failures_;  // "backend: what went wrong", one per failed attempt
  // A 429 or 5xx to forward if all fail. Held apart: the object stays small enough for the
  // allocator's per-thread cache, and most requests never have one.
  std::unique_ptr<HttpResponse> last_error_response_;
  std::unique_ptr<asio::steady_timer> retry_timer_;

  // What the client has received.
  bool client_stream_started_ = false;
  bool finished_ = false;
  std::size_t client_bytes_pending_ = 0;
  std::optional<TimePoint> first_token_at_;
  std::optional<TimePoint> last_token_at_;
  prometheus::Histogram* itl_histogram_ = nullptr;
  std::int64_t prompt_tokens_ = 0;
  std::int64_t completion_tokens_ = 0;
  std::int64_t content_events_ = 0;
  bool saw_done_ = false;
};

}  // namespace scoville::router
