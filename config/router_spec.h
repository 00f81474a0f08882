#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/issues.h"

namespace scoville::config {

// "HOST:PORT" split into its parts; the port may be 0 (pick a free one).
struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;

  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Parses "HOST:PORT"; false when the text is not of that form.
bool parse_listen_address(const std::string& text, ListenAddress& address);

// How the router behaves: where it listens, how it resolves classes, and how patient it is
// with backends. Every duration is in milliseconds.
struct RouterSpec {
  ListenAddress listen{"127.0.0.1", 8080};
  std::optional<ListenAddress> admin_listen;
  int workers = 0;  // 0: one per core
  std::string default_class = "standard";
  std::map<std::string, std::string> api_key_classes;  // API key -> default class
  std::string access_log = "-";                        // "-" is stderr

  std::int64_t connect_timeout_ms = 2'000;
  std::int64_t first_byte_timeout_ms = 60'000;
  std::int64_t idle_timeout_ms = 30'000;
  std::int64_t total_timeout_ms = 600'000;

  int max_attempts = 3;
  std::int64_t base_backoff_ms = 25;
  std::int64_t max_backoff_ms = 1'000;
  std::int64_t max_retry_after_ms = 5'000;

  int breaker_consecutive_failures = 5;
  double breaker_error_rate = 0.5;
  int breaker_window_requests = 20;
  int breaker_min_requests = 10;
  std::int64_t breaker_cooldown_ms = 10'000;

  std::string health_path = "/v1/models";
  std::int64_t health_interval_ms = 5'000;
  std::int64_t health_timeout_ms = 2'000;
  int unhealthy_after_failures = 2;
  int healthy_after_successes = 1;

  std::size_t max_connections = 20'000;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::int64_t client_header_timeout_ms = 10'000;
  double requests_per_second = 0.0;  // 0: unlimited
  double burst_requests = 100.0;
  std::int64_t drain_timeout_ms = 30'000;
};

// Reads the `router` section at `path`; class names are checked later against the catalog.
RouterSpec parse_router_spec(const nlohmann::json& value, const std::string& path, Issues& issues);

}  // namespace scoville::config
