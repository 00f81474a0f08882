// `scoville serve` refusing requests it cannot serve: malformed ones, clients too slow or too
// large, and clients over the rate limit, each in OpenAI's error shape.
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/fleet_test_support.h"

namespace scoville::cli_test {
namespace {

const std::string kModel = "llama-3.1-8b";

std::string short_chat(const std::string& model = kModel) {
  return chat_body(model, {{"max_tokens", 2}});
}

// Checks OpenAI's error shape: {"error": {"message", "type", "param", "code"}}, with a message
// that says something, and the status expected.
void check_openai_error(const HttpReply& reply, int status, const std::string& code = "") {
  INFO(reply.describe());
  CHECK(reply.status == status);
  CHECK(reply.header("content-type") == "application/json");
  nlohmann::json body = reply.json();
  REQUIRE(body.is_object());
  REQUIRE(body["error"].is_object());
  nlohmann::json& error = body["error"];
  CHECK(error["message"].is_string());
  CHECK_FALSE(error["message"].get<std::string>().empty());
  CHECK(error["type"].is_string());
  CHECK(error.contains("param"));
  CHECK(error.contains("code"));
  CHECK((error["code"].is_string() || error["code"].is_null()));
  if (!code.empty()) CHECK(error["code"] == code);
}

TEST_CASE("every malformed request gets its status in OpenAI's error shape, and serving goes on") {
  SimulatedBackend backend;
  Router router({.upstreams = {backend.url() + ",model=" + kModel},
                 .router = {{"limits", {{"max_body_bytes", 1024}, {"max_header_bytes", 1024}}}}});
  const std::string url = router.url("/v1/chat/completions");

  struct Case {
    std::string what;
    HttpReply reply;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", http_post(url, "{\"model\": "), 400, "invalid_json"},
      {"a body that is not an object", http_post(url, "[\"" + kModel + "\"]"), 400, "invalid_json"},
      {"no model", http_post(url, R"({"messages": []})"), 400, "missing_model"},
      {"a model that is not a string", http_post(url, R"({"model": 8})"), 400, "invalid_model"},
      {"stream not a boolean", http_post(url, chat_body(kModel, {{"stream", "yes"}})), 400,
       "invalid_stream"},
      {"an unknown model", http_post(url, short_chat("gpt-9")), 404, "model_not_found"},
      {"an unsupported path", http_post(router.url("/v1/embeddings"), short_chat()), 404,
       "unknown_url"},
      {"GET on completions", http_get(url), 405, "method_not_allowed"},
      {"POST on models", http_post(router.url("/v1/models"), "{}"), 405, "method_not_allowed"},
      {"a body over max_body_bytes",
       http_post(url, chat_body(kModel, {{"padding", std::string(2000, 'x')}})), 413, ""},
      {"headers over max_header_bytes",
       http_post(url, short_chat(), {"X-Padding: " + std::string(4000, 'y')}), 431, ""},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    check_openai_error(c.reply, c.status, c.code);
    // Every refusal is answered by the router itself, on a connection that still works.
    CHECK(http_post(url, short_chat()).status == 200);
  }

  CHECK(cases[2].reply.json()["error"]["param"] == "model");
  CHECK(cases[5].reply.json()["error"]["message"].get<std::string>().find("gpt-9") !=
        std::string::npos);
  // The rejections are logged like the requests they interleave with, those the HTTP server
  // answers itself (413, 431) included, each with the request id its response carries.
  nlohmann::json first = router.access_log().front();
  CHECK(first["status"] == 400);
  CHECK(first["outcome"] == "rejected");
  for (const std::size_t index : {std::size_t{9}, std::size_t{10}}) {
    const HttpReply& reply = cases[index].reply;
    INFO(cases[index].what);
    REQUIRE(reply.has_header("x-request-id"));
    bool logged = false;
    for (const nlohmann::json& line : router.access_log()) {
      if (line["request_id"] == reply.header("x-request-id")) {
        logged = true;
        CHECK(line["status"] == cases[index].status);
        CHECK(line["outcome"] == "rejected");
        CHECK(line["error"] == (index == 9 ? "body_too_large" : "headers_too_large"));
      }
    }
    CHECK(logged);
  }
}

TEST_CASE("a client that never finishes its headers gets 408 and the router serves on") {
  SimulatedBackend backend;
  Router router({.upstreams = {backend.url() + ",model=" + kModel},
                 .router = {{"limits", {{"header_timeout_ms", 300}}}}});

  const std::string reply = raw_exchange(router.port(),
                                         "POST /v1/chat/completions HTTP/1.1\r\n"
                                         "Host: router\r\n"
                                         "Content-Type: application/json\r\n");
  INFO(reply);
  CHECK(reply.starts_with("HTTP/1.1 408"));
  const std::size_t body_at = reply.find("\r\n\r\n");
  REQUIRE(body_at != std::string::npos);
  HttpReply parsed;
  parsed.status = 408;
  parsed.headers["content-type"] = "application/json";
  parsed.body = reply.substr(body_at + 4);
  check_openai_error(parsed, 408);
  CHECK(reply.find("X-Request-Id: ") != std::string::npos);

  CHECK(http_post(router.url("/v1/chat/completions"), short_chat()).status == 200);
  const nlohmann::json logged = router.access_log().front();
  CHECK(logged["status"] == 408);
  CHECK(logged["outcome"] == "rejected");
  CHECK(logged["error"] == "request_timeout");
  CHECK(logged["method"] == "");
}

TEST_CASE("past the rate limit's burst a request gets 429 with Retry-After") {
  SimulatedBackend backend;
  Router router({.upstreams = {backend.url() + ",model=" + kModel},
                 .router = {{"limits", {{"requests_per_second", 0.001}, {"burst", 1}}}}});
  const std::string url = router.url("/v1/chat/completions");

  CHECK(http_post(url, short_chat()).status == 200);
  const HttpReply limited = http_post(url, short_chat());
  check_openai_error(limited, 429, "rate_limit_exceeded");
  CHECK(limited.json()["error"]["type"] == "rate_limit_error");
  REQUIRE(limited.has_header("retry-after"));
  CHECK(std::stoi(limited.header("retry-after")) >= 1);
  // Health endpoints are not rate limited.
  CHECK(http_get(router.url("/healthz")).status == 200);
  CHECK(router.wait_for_access_line(2)["error"] == "rate_limit");
}

}  // namespace
}  // namespace scoville::cli_test
