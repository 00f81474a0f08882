// `scoville serve` relaying responses: streams byte for byte, whole bodies with their length,
// the request it sends upstream, and streams that break off mid-way.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/fleet_test_support.h"

namespace scoville::cli_test {
namespace {

// One chunk of the canned completion, "c1", with `choice` as its only choice.
std::string chunk_event(const std::string& choice, const std::string& line_end = "\n") {
  return R"(data: {"id":"c1","object":"chat.completion.chunk","model":"canned","choices":[)" +
         choice + "]}" + line_end + line_end;
}

// Every shape the relay must pass on untouched: a comment, a role-only chunk, an event ended by
// CRLF, multi-byte UTF-8 (which the canned server's odd-sized pieces cut in two) and a
// finish-only chunk. The usage chunk and [DONE] follow.
const std::string kCannedContent = ": canned stream\n\n" +
                                   chunk_event(R"({"index":0,"delta":{"role":"assistant"}})") +
                                   chunk_event(R"({"index":0,"delta":{"content":"Hel"}})", "\r\n") +
                                   chunk_event(R"({"index":0,"delta":{"content":"lo, wörld"}})") +
                                   chunk_event(R"({"index":0,"delta":{"content":" — été"}})") +
                                   chunk_event(R"({"index":0,"delta":{},"finish_reason":"stop"})");
const std::string kCannedUsage =
    R"(data: {"id":"c1","object":"chat.completion.chunk","model":"canned","choices":[],)"
    R"("usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}})"
    "\n\n";
const std::string kCannedDone = "data: [DONE]\n\n";
const std::string kCannedStream = kCannedContent + kCannedUsage + kCannedDone;

const std::string kCannedWhole =
    R"({"id":"c2","object":"chat.completion","model":"canned","choices":[{"index":0,)"
    R"("message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}})";

// The headers of a recorded request, names lower-cased.
std::map<std::string, std::string> recorded_headers(const nlohmann::json& request) {
  std::map<std::string, std::string> headers;
  for (const nlohmann::json& pair : request.at("headers")) {
    std::string name = pair.at(0).get<std::string>();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers[name] = pair.at(1).get<std::string>();
  }
  return headers;
}

TEST_CASE("a stream reaches curl byte for byte, minus the usage chunk it did not ask for") {
  CannedBackend canned(kCannedStream, kCannedWhole);
  Router router({.upstreams = {canned.url() + ",model=canned,name=canned"}});

  const HttpReply reply =
      http_post(router.url("/v1/chat/completions"), chat_body("canned", {{"stream", true}}));
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
  CHECK(reply.client_exit == 0);
  CHECK(reply.body == kCannedContent + kCannedDone);
  CHECK(reply.header("content-type") == "text/event-stream");
  CHECK(reply.header("transfer-encoding") == "chunked");
  CHECK(reply.header("x-compute-class") == "standard");
  CHECK(reply.header("x-model-backend") == "canned");
  CHECK_FALSE(reply.header("x-request-id").empty());

  // The router read the token counts from the chunk it held back.
  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["outcome"] == "ok");
  CHECK(line["stream"] == true);
  CHECK(line["prompt_tokens"] == 9);
  CHECK(line["completion_tokens"] == 3);
  CHECK(line["ttft_ms"].is_number());
  CHECK(line["request_id"] == reply.header("x-request-id"));
}

TEST_CASE("a client that asks for usage gets the canned stream exactly, through requests") {
  CannedBackend canned(kCannedStream, kCannedWhole);
  Router router({.upstreams = {canned.url() + ",model=canned"}});

  const HttpReply with_usage = requests_post(
      router.url("/v1/chat/completions"),
      chat_body("canned", {{"stream", true}, {"stream_options", {{"include_usage", true}}}}));
  INFO(with_usage.describe());
  REQUIRE(with_usage.status == 200);
  CHECK(with_usage.client_exit == 0);
  CHECK(with_usage.body == kCannedStream);

  const HttpReply without_usage =
      requests_post(router.url("/v1/chat/completions"), chat_body("canned", {{"stream", true}}));
  INFO(without_usage.describe());
  CHECK(without_usage.body == kCannedContent + kCannedDone);

  // The client's own stream_options were already what the router needs: sent on unchanged.
  std::vector<nlohmann::json> posts = canned.posts();
  REQUIRE(posts.size() == 2);
  CHECK(posts[0]["body"] ==
        chat_body("canned", {{"stream", true}, {"stream_options", {{"include_usage", true}}}}));
}

TEST_CASE("a whole response passes through with its Content-Length") {
  CannedBackend canned(kCannedStream, kCannedWhole);
  Router router({.upstreams = {canned.url() + ",model=canned"}});

  const HttpReply reply = http_post(router.url("/v1/chat/completions"), chat_body("canned"));
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
  CHECK(reply.body == kCannedWhole);
  CHECK(reply.header("content-length") == std::to_string(kCannedWhole.size()));
  CHECK_FALSE(reply.has_header("transfer-encoding"));
  CHECK(reply.header("content-type") == "application/json");

  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["stream"] == false);
  CHECK(line["completion_tokens"] == 1);
}

TEST_CASE("upstream gets the body without Scoville's fields, usage forced, everything else kept") {
  CannedBackend canned(kCannedStream, kCannedWhole);
  Router router({.upstreams = {canned.url() + ",model=canned,class=efficient"}});

  nlohmann::ordered_json body = nlohmann::ordered_json::parse(
      chat_body("canned-efficient", {{"temperature", 0.25},
                                     {"compute_class", "efficient"},
                                     {"stream", true},
                                     {"stream_options", {{"include_usage", false}}},
                                     {"max_tokens", 7},
                                     {"user", "u-42"}}));
  const HttpReply reply = http_post(
      router.url("/v1/chat/completions"), body.dump(),
      {"X-Request-Id: client-chosen-id-7", "Authorization: Bearer sk-client", "X-Custom-Trace: abc",
       "Connection: keep-alive, X-Hop-Secret", "X-Hop-Secret: 1", "Keep-Alive: timeout=5",
       "Proxy-Authorization: Basic dXNlcjpwYXNz", "TE: trailers", "X-Compute-Class: low_latency"});
  INFO(reply.describe());
  REQUIRE(reply.status == 200);
  CHECK(reply.header("x-request-id") == "client-chosen-id-7");
  CHECK(reply.header("x-compute-class") == "efficient");
  // include_usage false is the client's way of not asking.
  CHECK(reply.body == kCannedContent + kCannedDone);

  std::vector<nlohmann::json> posts = canned.posts();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0]["path"] == "/v1/chat/completions");
  nlohmann::ordered_json sent = nlohmann::ordered_json::parse(posts[0]["body"].get<std::string>());
  body.erase("compute_class");
  body["model"] = "canned";
  body["stream_options"]["include_usage"] = true;
  // ordered_json compares keys in order, so this also checks that the order is kept.
  CHECK(sent == body);

  const std::map<std::string, std::string> headers = recorded_headers(posts[0]);
  CHECK(headers.at("x-request-id") == "client-chosen-id-7");
  CHECK(headers.at("x-custom-trace") == "abc");
  CHECK(headers.at("authorization") == "Bearer sk-client");
  CHECK(headers.at("host") == "127.0.0.1:" + std::to_string(canned.port()));
  CHECK(headers.at("content-length") == std::to_string(posts[0]["body"].get<std::string>().size()));
  for (const std::string hop : {"keep-alive", "proxy-authorization", "te", "x-hop-secret",
                                "x-compute-class", "transfer-encoding"}) {
    CHECK_MESSAGE(!headers.contains(hop), hop << " was forwarded");
  }
  if (headers.contains("connection")) {
    CHECK(headers.at("connection").find("X-Hop-Secret") == std::string::npos);
  }
}

TEST_CASE("a stream cut after three tokens ends with an error event and a clean end of body") {
  SimulatedBackend backend({"--drop-after-tokens", "3"});
  Router router({.upstreams = {backend.url() + ",model=llama-3.1-8b,name=dropper"}});

  const HttpReply reply =
      http_post(router.url("/v1/chat/completions"),
                chat_body("llama-3.1-8b", {{"stream", true}, {"max_tokens", 50}}));
  INFO(reply.describe());
  CHECK(reply.status == 200);
  // The chunked body ended properly: curl saw no transfer error.
  CHECK(reply.client_exit == 0);
  const std::vector<std::string> events = sse_data(reply.body);
  REQUIRE(events.size() == 4);
  for (int i = 0; i < 3; ++i) {
    nlohmann::json chunk = nlohmann::json::parse(events[static_cast<std::size_t>(i)]);
    CHECK(chunk["choices"][0]["delta"]["content"].is_string());
  }
  nlohmann::json error = nlohmann::json::parse(events[3]);
  REQUIRE(error["error"].is_object());
  CHECK(error["error"]["type"] == "server_error");
  CHECK(error["error"]["message"].get<std::string>().find("dropper") != std::string::npos);
  CHECK(reply.body.find("[DONE]") == std::string::npos);

  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["outcome"] == "midstream_failure");
  CHECK(line["completion_tokens"] == 3);
  CHECK(line["attempts"] == 1);
  CHECK(line["backend"] == "dropper");
}

TEST_CASE("a stream that stalls past the idle timeout ends with an error event, not a hang") {
  SimulatedBackend backend({"--stall-after-tokens", "2", "--stall-ms", "5000"});
  Router router({.upstreams = {backend.url() + ",model=llama-3.1-8b,name=staller"},
                 .router = {{"timeouts", {{"idle_ms", 300}}}}});

  const HttpReply reply =
      http_post(router.url("/v1/chat/completions"),
                chat_body("llama-3.1-8b", {{"stream", true}, {"max_tokens", 10}}));
  INFO(reply.describe());
  CHECK(reply.status == 200);
  CHECK(reply.client_exit == 0);
  const std::vector<std::string> events = sse_data(reply.body);
  REQUIRE(events.size() == 3);
  CHECK(nlohmann::json::parse(events[2])["error"]["code"] == "upstream_stream_failed");

  nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["outcome"] == "midstream_failure");
  CHECK(line["completion_tokens"] == 2);
}

// Sends `bytes` to 127.0.0.1:`port` and hangs up without reading a byte of the answer.
void send_and_hang_up(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  if (connected) ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::close(fd);
  REQUIRE(connected);
}

TEST_CASE("a client that hangs up while the backend is still silent frees the backend at once") {
  // The backend would not answer for ten minutes, and the router would wait a minute for its
  // first byte: only noticing the hang-up itself ends the request within the poll deadline.
  SimulatedBackend backend({"--added-latency-ms", "600000"});
  Router router({.upstreams = {backend.url() + ",model=llama-3.1-8b,name=silent"}});

  const std::string body = chat_body("llama-3.1-8b", {{"stream", true}, {"max_tokens", 4}});
  send_and_hang_up(router.port(),
                   "POST /v1/chat/completions HTTP/1.1\r\nHost: router\r\n"
                   "Content-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);

  const nlohmann::json line = router.wait_for_access_line(1);
  CHECK(line["outcome"] == "client_closed");
  CHECK(line["status"] == 499);
  CHECK(line["backend"] == "silent");
  CHECK(router.admin_backend("silent")["outstanding"] == 0);
  // The router serves on; the backend is still holding its answer, so ask another path.
  CHECK(http_get(router.url("/healthz")).status == 200);
}

}  // namespace
}  // namespace scoville::cli_test
