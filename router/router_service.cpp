#include "router/router_service.h"

#include <csignal>
#include <iostream>
#include <random>

#include "router/admin_handler.h"

namespace scoville::router {

// One event loop with its listener and handler; its thread runs nothing else.
struct RouterService::Worker {
  explicit Worker(ProxyShared& shared, std::uint64_t seed, const HttpServerLimits& limits)
      : handler(std::make_shared<ProxyHandler>(io.get_executor(), shared, seed)),
        server(io, handler, limits) {}

  asio::io_context io{1};
  std::shared_ptr<ProxyHandler> handler;
  HttpServer server;
  std::thread thread;
};

RouterServiceSettings service_settings_from(const config::Config& config) {
  const config::RouterSpec& spec = config.router;
  RouterServiceSettings settings;
  settings.listen = spec.listen;
  settings.admin_listen = spec.admin_listen;
  settings.workers = spec.workers > 0
                         ? spec.workers
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  settings.limits.max_connections = spec.max_connections;
  settings.limits.max_header_bytes = spec.max_header_bytes;
  settings.limits.max_body_bytes = spec.max_body_bytes;
  settings.limits.header_timeout = std::chrono::milliseconds(spec.client_header_timeout_ms);

  for (const config::BackendSpec& backend : config.backends) {
    UpstreamSpec upstream;
    upstream.name = backend.name;
    upstream.host = backend.host;
    upstream.port = backend.port;
    upstream.base_path = backend.base_path;
    upstream.compute_class = backend.compute_class;
    upstream.device = backend.device;
    upstream.weight = backend.weight;
    upstream.model = backend.model;
    upstream.served_model = backend.served_model;
    upstream.api_key = backend.api_key;
    settings.upstreams.push_back(std::move(upstream));
  }

  settings.breaker.consecutive_failures_to_open = spec.breaker_consecutive_failures;
  settings.breaker.error_rate_to_open = spec.breaker_error_rate;
  settings.breaker.window_requests = spec.breaker_window_requests;
  settings.breaker.min_requests_for_rate = spec.breaker_min_requests;
  settings.breaker.open_cooldown = std::chrono::milliseconds(spec.breaker_cooldown_ms);

  for (const auto& [id, compute_class] : config.compute_classes) {
    settings.fallback_classes[id] = compute_class.fallback_classes;
    settings.classes.known_classes.push_back(id);
  }
  settings.classes.default_class = spec.default_class;
  settings.classes.api_key_classes = spec.api_key_classes;

  settings.proxy.call.connect = std::chrono::milliseconds(spec.connect_timeout_ms);
  settings.proxy.call.first_byte = std::chrono::milliseconds(spec.first_byte_timeout_ms);
  settings.proxy.call.idle = std::chrono::milliseconds(spec.idle_timeout_ms);
  settings.proxy.total_timeout = std::chrono::milliseconds(spec.total_timeout_ms);
  settings.proxy.retry.max_attempts = spec.max_attempts;
  settings.proxy.retry.base_backoff = std::chrono::milliseconds(spec.base_backoff_ms);
  settings.proxy.retry.max_backoff = std::chrono::milliseconds(spec.max_backoff_ms);
  settings.proxy.retry.max_retry_after = std::chrono::milliseconds(spec.max_retry_after_ms);
  settings.proxy.forward_client_authorization = spec.api_key_classes.empty();

  settings.health.path = spec.health_path;
  settings.health.interval = std::chrono::milliseconds(spec.health_interval_ms);
  settings.health.timeout = std::chrono::milliseconds(spec.health_timeout_ms);
  settings.health.unhealthy_after = spec.unhealthy_after_failures;
  settings.health.healthy_after = spec.healthy_after_successes;

  settings.requests_per_second = spec.requests_per_second;
  settings.burst_requests = spec.burst_requests;
  settings.drain_timeout = std::chrono::milliseconds(spec.drain_timeout_ms);
  settings.access_log = spec.access_log;
  return settings;
}

RouterService::RouterService(RouterServiceSettings settings) : settings_(std::move(settings)) {}

RouterService::~RouterService() {
  for (auto& worker : workers_) {
    worker->io.stop();
    if (worker->thread.joinable()) worker->thread.join();
  }
}

Result<void> RouterService::start() {
  Result<std::unique_ptr<AccessLog>> log = AccessLog::open(settings_.access_log);
  if (!log) return make_error(log.error().message);
  access_log_ = std::move(*log);
  metrics_ = std::make_unique<RouterMetrics>();
  fleet_ =
      std::make_unique<Fleet>(settings_.upstreams, settings_.breaker, settings_.fallback_classes,
                              std::make_unique<LeastOutstandingPolicy>());
  metrics_->prepare(*fleet_);

  shared_.fleet = fleet_.get();
  shared_.settings = settings_.proxy;
  shared_.classes = settings_.classes;
  shared_.require_api_key = !settings_.classes.api_key_classes.empty();
  shared_.metrics = metrics_.get();
  shared_.access_log = access_log_.get();
  if (settings_.requests_per_second > 0.0) {
    shared_.rate_limiter = std::make_unique<RateLimiter>(
        settings_.requests_per_second, settings_.burst_requests, std::chrono::steady_clock::now());
  }

  // Each worker gets its share of the connection limit.
  HttpServerLimits limits = settings_.limits;
  const std::size_t workers = static_cast<std::size_t>(std::max(1, settings_.workers));
  limits.max_connections = std::max<std::size_t>(1, limits.max_connections / workers);
  std::uint16_t port = settings_.listen.port;
  // Request ids come from these generators, so they must differ between runs.
  std::random_device entropy;
  for (std::size_t i = 0; i < workers; ++i) {
    const std::uint64_t seed = (std::uint64_t{entropy()} << 32) ^ entropy() ^ i;
    workers_.push_back(std::make_unique<Worker>(shared_, seed, limits));
    Result<void> listening =
        workers_.back()->server.listen(settings_.listen.host, port, /*share_port=*/true);
    if (!listening) return listening;
    port = workers_.back()->server.port();  // the others join the port the first one got
  }
  port_ = port;

  if (settings_.admin_listen) {
    admin_server_ = std::make_unique<HttpServer>(
        control_io_, std::make_shared<AdminHandler>(shared_), HttpServerLimits{});
    Result<void> listening =
        admin_server_->listen(settings_.admin_listen->host, settings_.admin_listen->port);
    if (!listening) return make_error("admin listener: " + listening.error().message);
    admin_port_ = admin_server_->port();
  }

  health_checker_ =
      std::make_unique<HealthChecker>(control_io_.get_executor(), *fleet_, settings_.health);
  return {};
}

void RouterService::run() {
  // A client that vanishes mid-write must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  signals_ = std::make_unique<asio::signal_set>(control_io_, SIGINT, SIGTERM);
  signals_->async_wait([this](const beast::error_code& ec, int) {
    if (!ec) begin_drain();
  });
  health_checker_->start();
  for (auto& worker : workers_) {
    worker->thread = std::thread([io = &worker->io] {
      // Nothing on the request path throws; should a bug make something throw anyway, one
      // request is lost and logged instead of every request in flight.
      while (true) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          std::cerr << "scoville serve: internal error in a worker: " << e.what() << std::endl;
        }
      }
    });
  }

  control_io_.run();

  for (auto& worker : workers_) {
    worker->io.stop();
    worker->thread.join();
  }
  std::cerr << "scoville serve: stopped" << std::endl;
}

void RouterService::stop() {
  asio::post(control_io_, [this] { begin_drain(); });
}

void RouterService::begin_drain() {
  if (shared_.draining.exchange(true)) return;
  for (auto& worker : workers_) {
    asio::post(worker->io, [server = &worker->server] { server->stop_accepting(); });
  }
  health_checker_->stop();
  std::size_t in_flight = 0;
  for (const auto& worker : workers_) in_flight += worker->server.active_exchanges();
  std::cerr << "scoville serve: draining " << in_flight << " in-flight requests (up to "
            << settings_.drain_timeout.count() << " ms)" << std::endl;
  drain_timer_ = std::make_unique<asio::steady_timer>(control_io_);
  check_drained(std::chrono::steady_clock::now() + settings_.drain_timeout);
}

void RouterService::check_drained(std::chrono::steady_clock::time_point deadline) {
  // A request counts until its last byte is written, not only until the proxy is done with it.
  std::size_t in_flight = 0;
  for (const auto& worker : workers_) in_flight += worker->server.active_exchanges();
  if (in_flight == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (in_flight > 0) {
      std::cerr << "scoville serve: drain timeout with " << in_flight << " requests still in flight"
                << std::endl;
    }
    if (admin_server_) admin_server_->stop_accepting();
    control_io_.stop();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(20));
  drain_timer_->async_wait([this, deadline](const beast::error_code& ec) {
    if (!ec) check_drained(deadline);
  });
}

}  // namespace scoville::router
