#include "config/router_spec.h"

#include <charconv>

#include "config/object_reader.h"

namespace scoville::config {
namespace {

std::int64_t read_ms(ObjectReader& reader, std::string_view key, const Bounds& bounds,
                     std::int64_t fallback) {
  return static_cast<std::int64_t>(reader.number_or(key, bounds, static_cast<double>(fallback)));
}

void read_address(ObjectReader& reader, std::string_view key, ListenAddress& address) {
  const std::optional<std::string> text = reader.optional_string(key);
  if (text && !parse_listen_address(*text, address)) {
    reader.add_issue(key, "must be HOST:PORT, as in 127.0.0.1:8080, got \"" + *text + "\"");
  }
}

void read_timeouts(const nlohmann::json* value, const std::string& path, RouterSpec& spec,
                   Issues& issues) {
  if (value == nullptr) return;
  ObjectReader reader(*value, path, issues);
  if (!reader.is_object()) return;
  const Bounds positive = Bounds::positive_integer();
  spec.connect_timeout_ms = read_ms(reader, "connect_ms", positive, spec.connect_timeout_ms);
  spec.first_byte_timeout_ms =
      read_ms(reader, "first_byte_ms", positive, spec.first_byte_timeout_ms);
  spec.idle_timeout_ms = read_ms(reader, "idle_ms", positive, spec.idle_timeout_ms);
  spec.total_timeout_ms = read_ms(reader, "total_ms", positive, spec.total_timeout_ms);
  reader.reject_unknown_keys();
}

void read_retries(const nlohmann::json* value, const std::string& path, RouterSpec& spec,
                  Issues& issues) {
  if (value == nullptr) return;
  ObjectReader reader(*value, path, issues);
  if (!reader.is_object()) return;
  spec.max_attempts = static_cast<int>(reader.number_or("max_attempts", Bounds::between(1, 20),
                                                        static_cast<double>(spec.max_attempts)));
  spec.base_backoff_ms =
      read_ms(reader, "base_backoff_ms", Bounds::non_negative_integer(), spec.base_backoff_ms);
  spec.max_backoff_ms =
      read_ms(reader, "max_backoff_ms", Bounds::non_negative_integer(), spec.max_backoff_ms);
  spec.max_retry_after_ms = read_ms(reader, "max_retry_after_ms", Bounds::non_negative_integer(),
                                    spec.max_retry_after_ms);
  reader.reject_unknown_keys();
}

void read_breaker(const nlohmann::json* value, const std::string& path, RouterSpec& spec,
                  Issues& issues) {
  if (value == nullptr) return;
  ObjectReader reader(*value, path, issues);
  if (!reader.is_object()) return;
  spec.breaker_consecutive_failures =
      static_cast<int>(reader.number_or("consecutive_failures", Bounds::positive_integer(),
                                        static_cast<double>(spec.breaker_consecutive_failures)));
  spec.breaker_error_rate =
      reader.number_or("error_rate", Bounds::positive_share(), spec.breaker_error_rate);
  spec.breaker_window_requests = static_cast<int>(reader.number_or(
      "window_requests", Bounds::positive_integer(), spec.breaker_window_requests));
  spec.breaker_min_requests = static_cast<int>(
      reader.number_or("min_requests", Bounds::positive_integer(), spec.breaker_min_requests));
  spec.breaker_cooldown_ms =
      read_ms(reader, "cooldown_ms", Bounds::positive_integer(), spec.breaker_cooldown_ms);
  if (spec.breaker_min_requests > spec.breaker_window_requests) {
    reader.add_issue("min_requests", "must not exceed window_requests (" +
                                         std::to_string(spec.breaker_window_requests) + ")");
  }
  reader.reject_unknown_keys();
}

void read_health(const nlohmann::json* value, const std::string& path, RouterSpec& spec,
                 Issues& issues) {
  if (value == nullptr) return;
  ObjectReader reader(*value, path, issues);
  if (!reader.is_object()) return;
  spec.health_path = reader.string_or("path", spec.health_path);
  if (spec.health_path.empty() || spec.health_path.front() != '/') {
    reader.add_issue("path", "must start with /, got \"" + spec.health_path + "\"");
  }
  spec.health_interval_ms =
      read_ms(reader, "interval_ms", Bounds::positive_integer(), spec.health_interval_ms);
  spec.health_timeout_ms =
      read_ms(reader, "timeout_ms", Bounds::positive_integer(), spec.health_timeout_ms);
  spec.unhealthy_after_failures = static_cast<int>(reader.number_or(
      "unhealthy_after", Bounds::positive_integer(), spec.unhealthy_after_failures));
  spec.healthy_after_successes = static_cast<int>(
      reader.number_or("healthy_after", Bounds::positive_integer(), spec.healthy_after_successes));
  reader.reject_unknown_keys();
}

void read_limits(const nlohmann::json* value, const std::string& path, RouterSpec& spec,
                 Issues& issues) {
  if (value == nullptr) return;
  ObjectReader reader(*value, path, issues);
  if (!reader.is_object()) return;
  spec.max_connections = static_cast<std::size_t>(reader.number_or(
      "max_connections", Bounds::positive_integer(), static_cast<double>(spec.max_connections)));
  spec.max_header_bytes =
      static_cast<std::size_t>(reader.number_or("max_header_bytes", Bounds::between(1024, 1 << 20),
                                                static_cast<double>(spec.max_header_bytes)));
  spec.max_body_bytes = static_cast<std::size_t>(reader.number_or(
      "max_body_bytes", Bounds::between(1024, 1 << 30), static_cast<double>(spec.max_body_bytes)));
  spec.client_header_timeout_ms = read_ms(reader, "header_timeout_ms", Bounds::positive_integer(),
                                          spec.client_header_timeout_ms);
  spec.requests_per_second =
      reader.number_or("requests_per_second", Bounds::non_negative(), spec.requests_per_second);
  spec.burst_requests = reader.number_or("burst", Bounds::at_least(1), spec.burst_requests);
  reader.reject_unknown_keys();
}

}  // namespace

bool parse_listen_address(const std::string& text, ListenAddress& address) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  unsigned value = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || value > 65535) return false;
  address.host = text.substr(0, colon);
  address.port = static_cast<std::uint16_t>(value);
  return true;
}

RouterSpec parse_router_spec(const nlohmann::json& value, const std::string& path, Issues& issues) {
  RouterSpec spec;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return spec;
  }

  read_address(reader, "listen", spec.listen);
  if (reader.has("admin_listen")) {
    ListenAddress admin;
    read_address(reader, "admin_listen", admin);
    spec.admin_listen = admin;
  }
  spec.workers =
      static_cast<int>(reader.number_or("workers", Bounds::between(0, 256), spec.workers));
  spec.default_class = reader.string_or("default_class", spec.default_class);
  spec.access_log = reader.string_or("access_log", spec.access_log);
  spec.drain_timeout_ms =
      read_ms(reader, "drain_timeout_ms", Bounds::non_negative_integer(), spec.drain_timeout_ms);

  if (const nlohmann::json* keys = reader.optional_child("api_keys")) {
    const std::string keys_path = reader.path_of("api_keys");
    if (!keys->is_object()) {
      reader.add_issue("api_keys",
                       "must be an object of key -> {default_class}, got " + describe_type(*keys));
    } else {
      for (const auto& [key, entry] : keys->items()) {
        ObjectReader key_reader(entry, join_path(keys_path, key), issues);
        if (!key_reader.is_object()) continue;
        spec.api_key_classes[key] = key_reader.required_string("default_class");
        key_reader.reject_unknown_keys();
      }
    }
  }

  read_timeouts(reader.optional_child("timeouts"), reader.path_of("timeouts"), spec, issues);
  read_retries(reader.optional_child("retries"), reader.path_of("retries"), spec, issues);
  read_breaker(reader.optional_child("circuit_breaker"), reader.path_of("circuit_breaker"), spec,
               issues);
  read_health(reader.optional_child("health_check"), reader.path_of("health_check"), spec, issues);
  read_limits(reader.optional_child("limits"), reader.path_of("limits"), spec, issues);
  reader.reject_unknown_keys();
  return spec;
}

}  // namespace scoville::config
