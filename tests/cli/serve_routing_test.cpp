// `scoville serve` choosing where a request goes: compute classes and their headers, retries,
// fallback classes, 429s, the circuit breaker, and a fleet with nobody left.
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/fleet_test_support.h"

namespace scoville::cli_test {
namespace {

const std::string kModel = "llama-3.1-8b";

// An upstream flag for `url` serving kModel in `compute_class`, called `name`.
std::string upstream(const std::string& url, const std::string& compute_class,
                     const std::string& name, const std::string& more = "") {
  return url + ",model=" + kModel + ",class=" + compute_class + ",name=" + name + more;
}

std::string short_chat(const std::string& model = kModel, nlohmann::ordered_json extra = {}) {
  extra["max_tokens"] = 2;
  return chat_body(model, extra);
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One backend per built-in class, so X-Model-Backend tells which class served.
struct ThreeClasses {
  SimulatedBackend standard;
  SimulatedBackend efficient;
  SimulatedBackend low_latency;

  std::vector<std::string> upstreams() const {
    return {upstream(standard.url(), "standard", "std"),
            upstream(efficient.url(), "efficient", "eff"),
            upstream(low_latency.url(), "low_latency", "fast")};
  }
};

TEST_CASE("the class comes from the body, then the header, the model suffix and the API key") {
  ThreeClasses fleet;
  Router router({.upstreams = fleet.upstreams(),
                 .router = {{"api_keys",
                             {{"key-efficient", {{"default_class", "efficient"}}},
                              {"key-fast", {{"default_class", "low_latency"}}}}}}});

  struct Case {
    std::string what;
    std::string body;
    std::vector<std::string> headers;
    std::string source;
  };
  // Each source names efficient and every source below it names low_latency, so only the
  // right order serves efficient.
  const std::vector<Case> cases = {
      {"body field",
       short_chat(kModel + "-low-latency", {{"compute_class", "efficient"}}),
       {"X-Compute-Class: low_latency", "Authorization: Bearer key-fast"},
       "body"},
      {"header",
       short_chat(kModel + "-low-latency"),
       {"X-Compute-Class: efficient", "Authorization: Bearer key-fast"},
       "header"},
      {"model suffix",
       short_chat(kModel + "-efficient"),
       {"Authorization: Bearer key-fast"},
       "model_suffix"},
      {"API key", short_chat(), {"Authorization: Bearer key-efficient"}, "api_key"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const HttpReply reply = http_post(router.url("/v1/chat/completions"), c.body, c.headers);
    INFO(c.what << "\n" << reply.describe());
    CHECK(reply.status == 200);
    CHECK(reply.header("x-compute-class") == "efficient");
    CHECK(reply.header("x-model-backend") == "eff");
    nlohmann::json line = router.wait_for_access_line(i + 1);
    CHECK(line["class_source"] == c.source);
    CHECK(line["requested_class"] == "efficient");
    // The suffix is stripped whichever source wins.
    CHECK(line["model"] == kModel);
  }
}

TEST_CASE("without any other source the class is router.default_class") {
  ThreeClasses fleet;
  Router router({.upstreams = fleet.upstreams(), .router = {{"default_class", "low_latency"}}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat());
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.header("x-compute-class") == "low_latency");
  CHECK(reply.header("x-model-backend") == "fast");
  CHECK(router.wait_for_access_line(1)["class_source"] == "default");
}

TEST_CASE("an incoming X-Request-Id is kept, and one is made up when it is missing or unusable") {
  SimulatedBackend backend;
  Router router({.upstreams = {upstream(backend.url(), "standard", "only")}});
  const std::string url = router.url("/v1/chat/completions");

  const HttpReply kept = http_post(url, short_chat(), {"X-Request-Id: trace-0001"});
  CHECK(kept.header("x-request-id") == "trace-0001");
  CHECK(router.wait_for_access_line(1)["request_id"] == "trace-0001");

  const HttpReply first = http_post(url, short_chat());
  const HttpReply second = http_post(url, short_chat());
  const HttpReply too_long =
      http_post(url, short_chat(), {"X-Request-Id: " + std::string(300, 'x')});
  for (const HttpReply* reply : {&first, &second, &too_long}) {
    INFO(reply->describe());
    CHECK(reply->status == 200);
    CHECK(reply->header("x-request-id").size() == 16);
    CHECK(reply->header("x-request-id").find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  CHECK(first.header("x-request-id") != second.header("x-request-id"));
  CHECK(router.wait_for_access_line(4)["request_id"] == too_long.header("x-request-id"));

  // A rejected request carries one too.
  const HttpReply rejected = http_post(url, "{", {"X-Request-Id: trace-0002"});
  CHECK(rejected.status == 400);
  CHECK(rejected.header("x-request-id") == "trace-0002");
}

TEST_CASE("an unknown class is a 400 naming it, and a missing or unknown API key a 401") {
  ThreeClasses fleet;
  Router router({.upstreams = fleet.upstreams(),
                 .router = {{"api_keys", {{"key-efficient", {{"default_class", "efficient"}}}}}}});
  const std::string url = router.url("/v1/chat/completions");
  const std::string key = "Authorization: Bearer key-efficient";

  const HttpReply in_body =
      http_post(url, short_chat(kModel, {{"compute_class", "low-latency"}}), {key});
  INFO(in_body.describe());
  CHECK(in_body.status == 400);
  nlohmann::json body_error = in_body.json()["error"];
  CHECK(mentions(body_error["message"].get<std::string>(), "\"low-latency\""));
  CHECK(mentions(body_error["message"].get<std::string>(), "did you mean \"low_latency\""));
  CHECK(body_error["code"] == "unknown_compute_class");
  CHECK(body_error["param"] == "compute_class");
  CHECK(body_error["type"] == "invalid_request_error");

  const HttpReply in_header = http_post(url, short_chat(), {key, "X-Compute-Class: premium"});
  CHECK(in_header.status == 400);
  CHECK(mentions(in_header.body, "\\\"premium\\\" in the X-Compute-Class header"));

  const HttpReply not_a_string = http_post(url, short_chat(kModel, {{"compute_class", 3}}), {key});
  CHECK(not_a_string.status == 400);
  CHECK(not_a_string.json()["error"]["code"] == "invalid_compute_class");

  for (const std::vector<std::string>& headers :
       {std::vector<std::string>{}, {"Authorization: Bearer key-stolen"}, {"Authorization: key"}}) {
    const HttpReply refused = http_post(url, short_chat(), headers);
    INFO(refused.describe());
    CHECK(refused.status == 401);
    CHECK(refused.json()["error"]["code"] == "invalid_api_key");
    CHECK_FALSE(mentions(refused.body, "key-stolen"));
  }
  CHECK(http_post(url, short_chat(), {key}).status == 200);
}

TEST_CASE("a config backend gets its own API key and served model name, never the client's") {
  CannedBackend canned("data: [DONE]\n\n", R"({"object":"chat.completion","choices":[]})");
  Router router({.router = {{"api_keys", {{"key-team", {{"default_class", "standard"}}}}}},
                 .backends = {{{"name", "canned"},
                               {"url", canned.url()},
                               {"model", kModel},
                               {"served_model", "canned-served"},
                               {"device", "h100"},
                               {"api_key", "sk-backend"}}}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat(),
                                    {"Authorization: Bearer key-team"});
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.header("x-model-backend") == "canned");

  std::vector<nlohmann::json> posts = canned.posts();
  REQUIRE(posts.size() == 1);
  std::string authorization;
  for (const nlohmann::json& header : posts[0].at("headers")) {
    if (header.at(0) == "Authorization") authorization = header.at(1).get<std::string>();
  }
  CHECK(authorization == "Bearer sk-backend");
  nlohmann::json sent = nlohmann::json::parse(posts[0]["body"].get<std::string>());
  CHECK(sent["model"] == "canned-served");
}

TEST_CASE("a backend refusing connections is passed over for a live one in its class") {
  RefusingPort dead;
  SimulatedBackend live;
  // The weight makes the dead backend the first choice.
  Router router({.upstreams = {upstream(dead.url(), "standard", "dead", ",weight=100"),
                               upstream(live.url(), "standard", "live")}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat());
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.header("x-model-backend") == "live");
  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["attempts"] == 2);
  CHECK(line["backend"] == "live");
  CHECK(line["outcome"] == "ok");
}

TEST_CASE("a class whose backends are all down falls back to its fallback class") {
  RefusingPort dead;
  SimulatedBackend live;
  Router router({.upstreams = {upstream(dead.url(), "efficient", "dead-efficient"),
                               upstream(live.url(), "standard", "live-standard")}});

  const HttpReply reply =
      http_post(router.url("/v1/chat/completions"), short_chat(kModel + "-efficient"));
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.header("x-compute-class") == "standard");
  CHECK(reply.header("x-model-backend") == "live-standard");
  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["requested_class"] == "efficient");
  CHECK(line["class"] == "standard");
  CHECK(line["attempts"] == 2);
  CHECK(router.metric(R"(scoville_router_fallbacks_total{from="efficient",to="standard"})") == 1);
}

TEST_CASE("a lone backend answering 429 has its 429 and Retry-After passed on after the last try") {
  SimulatedBackend limited({"--rate-limit-rate", "1", "--retry-after", "1"});
  Router router({.upstreams = {upstream(limited.url(), "standard", "limited")},
                 .router = {{"retries", {{"max_attempts", 2}}}}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat());
  INFO(reply.describe());
  CHECK(reply.status == 429);
  CHECK(reply.header("retry-after") == "1");
  CHECK(reply.json()["error"].is_object());
  CHECK(reply.header("x-model-backend") == "limited");
  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["attempts"] == 2);
  CHECK(line["status"] == 429);
  CHECK(line["outcome"] == "upstream_error");
}

TEST_CASE("a 429 from one backend is retried on a healthy one") {
  SimulatedBackend limited({"--rate-limit-rate", "1", "--retry-after", "1"});
  SimulatedBackend healthy;
  Router router({.upstreams = {upstream(limited.url(), "standard", "limited", ",weight=100"),
                               upstream(healthy.url(), "standard", "healthy")}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat());
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.header("x-model-backend") == "healthy");
  CHECK_FALSE(reply.has_header("retry-after"));
  CHECK(router.wait_for_access_line(1)["attempts"] == 2);
}

TEST_CASE("failures open the circuit, which fails fast until a half-open probe closes it") {
  RefusingPort port;
  Router router(
      {.upstreams = {upstream(port.url(), "standard", "flaky")},
       .router = {{"circuit_breaker", {{"consecutive_failures", 2}, {"cooldown_ms", 2000}}},
                  {"health_check", {{"interval_ms", 600'000}, {"unhealthy_after", 100}}},
                  {"retries", {{"max_attempts", 3}}}}});
  const std::string url = router.url("/v1/chat/completions");

  // Two refused attempts open the breaker; the third finds nobody to ask.
  const HttpReply opening = http_post(url, short_chat());
  INFO(opening.describe());
  CHECK(opening.status == 503);
  CHECK(router.wait_for_access_line(1)["attempts"] == 2);
  CHECK(router.admin_backend("flaky")["breaker"] == "open");

  const HttpReply fast = http_post(url, short_chat());
  INFO(fast.describe());
  CHECK(fast.status == 503);
  CHECK(mentions(fast.json()["error"]["message"].get<std::string>(), "flaky (circuit open)"));
  CHECK(router.wait_for_access_line(2)["attempts"] == 0);

  // A backend comes up on the port; once the cooldown is over the next request probes it.
  port.release();
  SimulatedBackend revived({"--listen", "127.0.0.1:" + std::to_string(port.port())});
  REQUIRE(revived.port() == port.port());
  HttpReply probed;
  CHECK(poll_until([&] {
    probed = http_post(url, short_chat());
    return probed.status == 200;
  }));
  CHECK(probed.header("x-model-backend") == "flaky");
  nlohmann::json backend = router.admin_backend("flaky");
  CHECK(backend["breaker"] == "closed");
  CHECK(backend["breaker_openings"] == 1);
}

TEST_CASE(
    "with every backend down: 503 naming them, /readyz 503 after health checks, /healthz 200") {
  RefusingPort first;
  RefusingPort second;
  Router router({.upstreams = {upstream(first.url(), "standard", "down-a"),
                               upstream(second.url(), "standard", "down-b")},
                 .router = {{"health_check", {{"interval_ms", 100}, {"unhealthy_after", 1}}}}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), short_chat());
  INFO(reply.describe());
  CHECK(reply.status == 503);
  nlohmann::json error = reply.json()["error"];
  CHECK(error["type"] == "server_error");
  CHECK(error["code"] == "no_backend_available");
  CHECK(mentions(error["message"].get<std::string>(), "down-a"));
  CHECK(mentions(error["message"].get<std::string>(), "down-b"));

  CHECK(poll_until([&] { return http_get(router.url("/readyz")).status == 503; }));
  CHECK(http_get(router.admin_url("/readyz")).status == 503);
  CHECK(http_get(router.url("/healthz")).status == 200);
  CHECK(http_get(router.admin_url("/healthz")).status == 200);
  CHECK(router.admin_backend("down-a")["healthy"] == false);

  const HttpReply unhealthy = http_post(router.url("/v1/chat/completions"), short_chat());
  CHECK(unhealthy.status == 503);
  CHECK(mentions(unhealthy.body, "down-a (unhealthy)"));
  CHECK(mentions(unhealthy.body, "down-b (unhealthy)"));
}

TEST_CASE("/v1/models is the union of configured and discovered models") {
  SimulatedBackend configured;
  CannedBackend discovered("data: [DONE]\n\n", "{}", "canned-model");
  Router router({.upstreams = {upstream(configured.url(), "standard", "configured"),
                               discovered.url() + ",class=efficient,name=discovered"},
                 .router = {{"health_check", {{"interval_ms", 100}}}}});

  nlohmann::json models;
  const bool listed = poll_until([&] {
    models = http_get(router.url("/v1/models")).json();
    return models.is_object() && models["data"].size() == 2;
  });
  INFO(models.dump());
  REQUIRE(listed);
  CHECK(models["object"] == "list");
  CHECK(models["data"][0]["id"] == "canned-model");
  CHECK(models["data"][1]["id"] == kModel);
  CHECK(models["data"][0]["object"] == "model");
}

}  // namespace
}  // namespace scoville::cli_test
