#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "router/class_resolver.h"
#include "router/connection_pool.h"
#include "router/http_exchange.h"
#include "router/proxy_request.h"
#include "router/rate_limiter.h"

namespace scoville::router {

// What every worker's handler shares: the fleet, settings, metrics, log and limits.
struct ProxyShared {
  Fleet* fleet = nullptr;
  ProxySettings settings;
  ClassResolverSettings classes;
  bool require_api_key = false;  // true when API keys are configured
  RouterMetrics* metrics = nullptr;
  AccessLog* access_log = nullptr;
  std::atomic<bool> draining{false};

  std::mutex rate_mutex;                      // guards rate_limiter
  std::unique_ptr<RateLimiter> rate_limiter;  // null when unlimited
};

// The router's front door on one worker: answers /healthz, /readyz and /v1/models itself,
// validates completion requests (JSON, model, class, API key, rate) with a clear 4xx for
// each problem, and hands the rest to a ProxyRequest.
class ProxyHandler final : public HttpHandler {
 public:
  ProxyHandler(IoExecutor executor, ProxyShared& shared, std::uint64_t seed);

  void handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) override;
  // Gives the server's own 408, 413, 431 and 400 a request id, a rejection count and an
  // access-log line, like every other answer.
  void on_protocol_error(const ProtocolError& error, HttpResponse& response) override;

  ConnectionPool& pool() { return pool_; }

 private:
  void handle_completion(HttpRequest request, std::shared_ptr<HttpExchange> exchange);
  void handle_models(const HttpRequest& request, HttpExchange& exchange);
  void handle_ready(const HttpRequest& request, HttpExchange& exchange);
  std::string request_id_for(const HttpRequest& request);
  std::string new_request_id();
  void reject(HttpExchange& exchange, const HttpRequest& request, HttpResponse response,
              const std::string& reason);

  IoExecutor executor_;
  ProxyShared& shared_;
  ConnectionPool pool_;
  std::mt19937_64 random_;
};

}  // namespace scoville::router
