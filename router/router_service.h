#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "config/result.h"
#include "router/class_resolver.h"
#include "router/health_checker.h"
#include "router/http_server.h"
#include "router/proxy_handler.h"

namespace scoville::router {

// Everything `scoville serve` runs with, after the config file and flags are merged.
struct RouterServiceSettings {
  config::ListenAddress listen{"127.0.0.1", 8080};
  std::optional<config::ListenAddress> admin_listen;
  int workers = 1;
  HttpServerLimits limits;
  std::vector<UpstreamSpec> upstreams;
  CircuitBreakerPolicy breaker;
  std::map<std::string, std::vector<std::string>> fallback_classes;
  ProxySettings proxy;
  ClassResolverSettings classes;
  HealthCheckSettings health;
  double requests_per_second = 0.0;
  double burst_requests = 100.0;
  std::chrono::milliseconds drain_timeout{30'000};
  std::string access_log = "-";
};

// The settings a config document describes: its `router` section, its backends and its
// classes' fallbacks. The document is assumed valid (build_config found no issue).
RouterServiceSettings service_settings_from(const config::Config& config);

// The running router: one worker thread per core, each with its own event loop, listener
// (sharing the port), connection pool and handler, so no request ever takes a lock on the
// hot path except for shared backend state. A control thread runs health checks, the admin
// listener and shutdown. SIGINT or SIGTERM stops accepting, lets in-flight requests finish
// (up to the drain timeout) and returns from run().
class RouterService {
 public:
  explicit RouterService(RouterServiceSettings settings);
  ~RouterService();

  RouterService(const RouterService&) = delete;
  RouterService& operator=(const RouterService&) = delete;

  // Binds every listener; after this the ports are known.
  Result<void> start();
  std::uint16_t port() const { return port_; }
  std::optional<std::uint16_t> admin_port() const { return admin_port_; }
  const RouterServiceSettings& settings() const { return settings_; }

  // Serves until a signal (or stop()), drains, and returns.
  void run();
  // Begins the same drain a signal does; safe from any thread.
  void stop();

 private:
  struct Worker;

  void begin_drain();
  void check_drained(std::chrono::steady_clock::time_point deadline);

  RouterServiceSettings settings_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<RouterMetrics> metrics_;
  std::unique_ptr<Fleet> fleet_;
  ProxyShared shared_;

  asio::io_context control_io_;
  std::unique_ptr<HealthChecker> health_checker_;
  std::unique_ptr<HttpServer> admin_server_;
  std::unique_ptr<asio::signal_set> signals_;
  std::unique_ptr<asio::steady_timer> drain_timer_;
  std::vector<std::unique_ptr<Worker>> workers_;

  std::uint16_t port_ = 0;
  std::optional<std::uint16_t> admin_port_;
};

}  // namespace scoville::router
