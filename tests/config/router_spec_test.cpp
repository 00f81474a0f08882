// The `router` section of a config document.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/config.h"
#include "config/jsonc.h"

namespace scoville::config {
namespace {

struct Built {
  Config config;
  std::vector<std::string> problems;
};

Built build(const std::string& text) {
  Result<nlohmann::json> document = parse_jsonc(text, "test");
  REQUIRE_MESSAGE(document.has_value(), (document ? "" : document.error().message));
  Issues issues;
  Built built{build_config(*document, issues), {}};
  for (const Issue& issue : issues.all()) built.problems.push_back(issue.to_string());
  return built;
}

bool has_problem_starting(const Built& built, const std::string& prefix) {
  return std::any_of(built.problems.begin(), built.problems.end(),
                     [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
}

TEST_CASE("a router section with every group is read into the router spec") {
  const Built built = build(R"({
    "router": {
      "listen": "0.0.0.0:8080", "admin_listen": "127.0.0.1:9090", "workers": 4,
      "default_class": "efficient",
      "api_keys": {"sk-a": {"default_class": "low_latency"}},
      "timeouts": {"connect_ms": 500, "first_byte_ms": 9000, "idle_ms": 7000, "total_ms": 60000},
      "retries": {"max_attempts": 5, "base_backoff_ms": 10, "max_backoff_ms": 200,
                  "max_retry_after_ms": 3000},
      "circuit_breaker": {"consecutive_failures": 3, "error_rate": 0.4, "window_requests": 30,
                          "min_requests": 12, "cooldown_ms": 2500},
      "health_check": {"path": "/health", "interval_ms": 1000, "timeout_ms": 300,
                       "unhealthy_after": 3, "healthy_after": 2},
      "limits": {"max_connections": 100, "max_header_bytes": 4096, "max_body_bytes": 65536,
                 "header_timeout_ms": 2000, "requests_per_second": 50, "burst": 10},
      "drain_timeout_ms": 1500
    }
  })");
  REQUIRE(built.problems.empty());
  const RouterSpec& r = built.config.router;
  CHECK(r.listen.host == "0.0.0.0");
  CHECK(r.listen.port == 8080);
  REQUIRE(r.admin_listen);
  CHECK(r.admin_listen->port == 9090);
  CHECK(r.workers == 4);
  CHECK(r.default_class == "efficient");
  CHECK(r.api_key_classes.at("sk-a") == "low_latency");
  CHECK(r.connect_timeout_ms == 500);
  CHECK(r.first_byte_timeout_ms == 9000);
  CHECK(r.idle_timeout_ms == 7000);
  CHECK(r.total_timeout_ms == 60000);
  CHECK(r.max_attempts == 5);
  CHECK(r.max_retry_after_ms == 3000);
  CHECK(r.breaker_consecutive_failures == 3);
  CHECK(r.breaker_error_rate == doctest::Approx(0.4));
  CHECK(r.breaker_cooldown_ms == 2500);
  CHECK(r.health_path == "/health");
  CHECK(r.unhealthy_after_failures == 3);
  CHECK(r.max_body_bytes == 65536);
  CHECK(r.requests_per_second == doctest::Approx(50));
  CHECK(r.drain_timeout_ms == 1500);
}

TEST_CASE("without a router section the router has working defaults") {
  const Built built = build("{}");
  REQUIRE(built.problems.empty());
  CHECK(built.config.router.listen.to_string() == "127.0.0.1:8080");
  CHECK_FALSE(built.config.router.admin_listen);
  CHECK(built.config.router.max_attempts == 3);
}

TEST_CASE("router problems name their path") {
  const Built built = build(R"({
    "router": {
      "listen": "8080", "default_class": "cheap", "retry": {},
      "api_keys": {"sk-a": {"default_class": "fast"}},
      "timeouts": {"connect_ms": 0},
      "circuit_breaker": {"window_requests": 5, "min_requests": 10},
      "health_check": {"path": "health"}
    }
  })");
  CHECK(has_problem_starting(built, "router.listen: must be HOST:PORT"));
  CHECK(has_problem_starting(built, "router.default_class: unknown compute class \"cheap\""));
  CHECK(has_problem_starting(built, "router.retry: unknown key"));
  CHECK(has_problem_starting(built, "router.api_keys.sk-a.default_class: unknown compute class"));
  CHECK(has_problem_starting(built, "router.timeouts.connect_ms: must be"));
  CHECK(has_problem_starting(built, "router.circuit_breaker.min_requests: must not exceed"));
  CHECK(has_problem_starting(built, "router.health_check.path: must start with /"));
}

TEST_CASE("a backend URL keeps its path prefix and the backend its served name") {
  const Built built = build(R"({
    "backends": [{"name": "a", "url": "http://10.0.0.1:8000/openai/", "model": "llama-3.1-8b",
                  "served_model": "meta-llama/Llama-3.1-8B", "device": "h100"}]
  })");
  REQUIRE(built.problems.empty());
  const BackendSpec& backend = built.config.backends.at(0);
  CHECK(backend.host == "10.0.0.1");
  CHECK(backend.port == 8000);
  CHECK(backend.base_path == "/openai");
  CHECK(backend.served_model == "meta-llama/Llama-3.1-8B");
}

TEST_CASE("a backend URL given the OpenAI way, ending in /v1, does not double the /v1") {
  const Built built = build(R"({
    "backends": [{"name": "a", "url": "http://10.0.0.1:8000/v1", "model": "llama-3.1-8b",
                  "device": "h100"},
                 {"name": "b", "url": "http://10.0.0.1:8001/team/v1/", "model": "llama-3.1-8b",
                  "device": "h100"}]
  })");
  REQUIRE(built.problems.empty());
  CHECK(built.config.backends.at(0).base_path == "");
  CHECK(built.config.backends.at(1).base_path == "/team");
}

}  // namespace
}  // namespace scoville::config
