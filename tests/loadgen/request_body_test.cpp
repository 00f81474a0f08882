// The bodies and headers of benchmark requests.
#include "loadgen/request_body.h"

#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace scoville::loadgen {
namespace {

nlohmann::json body_of(Endpoint endpoint, bool stream, std::uint64_t index, std::int32_t input,
                       std::int32_t max) {
  std::string out;
  RequestBodyWriter(endpoint, "llama \"8b\"", stream).write(index, input, max, out);
  return nlohmann::json::parse(out);
}

TEST_CASE("a chat body has one user message of about four characters a token") {
  const nlohmann::json body = body_of(Endpoint::kChat, true, 3, 100, 64);
  CHECK(body["model"] == "llama \"8b\"");
  REQUIRE(body["messages"].size() == 1);
  CHECK(body["messages"][0]["role"] == "user");
  CHECK(body["messages"][0]["content"].get<std::string>().size() == 400);
  CHECK(body["max_tokens"] == 64);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"]["include_usage"] == true);
}

TEST_CASE("a completions body has a prompt and no stream options when not streaming") {
  const nlohmann::json body = body_of(Endpoint::kCompletions, false, 0, 2000, 7);
  CHECK(body["prompt"].get<std::string>().size() == 8000);
  CHECK(body["stream"] == false);
  CHECK_FALSE(body.contains("stream_options"));
  CHECK_FALSE(body.contains("messages"));
}

TEST_CASE("prompts start with the request number, so no two share a prefix") {
  const std::string first = body_of(Endpoint::kCompletions, true, 41, 50, 1)["prompt"];
  const std::string second = body_of(Endpoint::kCompletions, true, 42, 50, 1)["prompt"];
  CHECK(first.starts_with("41 "));
  CHECK(second.starts_with("42 "));
}

TEST_CASE("a reused string is replaced, not appended to") {
  RequestBodyWriter writer(Endpoint::kChat, "m", false);
  std::string out;
  writer.write(0, 1000, 1, out);
  writer.write(1, 10, 1, out);
  CHECK(nlohmann::json::parse(out)["messages"][0]["content"].get<std::string>().size() == 40);
}

TEST_CASE("the request head names the endpoint under the prefix and carries the headers") {
  BenchSpec spec;
  spec.url = *parse_target_url("http://127.0.0.1:8001/gw");
  spec.endpoint = Endpoint::kCompletions;
  spec.headers = {{"Authorization", "Bearer k"}, {"X-Team", "a"}};
  const std::string head = request_head(spec);
  CHECK(head.starts_with("POST /gw/v1/completions HTTP/1.1\r\nHost: 127.0.0.1:8001\r\n"));
  CHECK(head.find("Accept: text/event-stream\r\n") != std::string::npos);
  CHECK(head.find("Authorization: Bearer k\r\n") != std::string::npos);
  CHECK(head.ends_with("X-Team: a\r\n"));
}

TEST_CASE("a Host header of the user's replaces the URL's") {
  BenchSpec spec;
  spec.url = *parse_target_url("http://127.0.0.1:8001");
  spec.headers = {{"host", "api.internal"}};
  const std::string head = request_head(spec);
  CHECK(head.find("Host: 127.0.0.1") == std::string::npos);
  CHECK(head.find("host: api.internal\r\n") != std::string::npos);
}

TEST_CASE("headers are read as Name: value, refusing what the generator sets itself") {
  const Result<std::pair<std::string, std::string>> header = parse_header(" X-Team :  a b ");
  REQUIRE(header.has_value());
  CHECK(header->first == "X-Team");
  CHECK(header->second == "a b");
  CHECK(parse_header("X-Empty:").has_value());

  CHECK(parse_header("no colon").error().message == "expected \"Name: value\", got \"no colon\"");
  CHECK(parse_header("Bad Name: x").error().message == "\"Bad Name\" is not a header name");
  CHECK(parse_header("content-length: 3").error().message ==
        "content-length is set by scoville bench itself");
  CHECK(parse_header("X: a\r\nY: b").error().message == "the value of X holds a line break");
}

TEST_CASE("endpoints are found by the names the command line uses") {
  CHECK(find_endpoint("chat") == Endpoint::kChat);
  CHECK(find_endpoint("completions") == Endpoint::kCompletions);
  CHECK_FALSE(find_endpoint("embeddings").has_value());
  CHECK(endpoint_path(Endpoint::kChat) == "/v1/chat/completions");
}

}  // namespace
}  // namespace scoville::loadgen
