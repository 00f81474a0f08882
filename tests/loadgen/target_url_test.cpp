// Reading the --url of `scoville bench`.
#include "loadgen/target_url.h"

#include <string>

#include <doctest/doctest.h>

namespace scoville::loadgen {
namespace {

std::string problem_with(const std::string& text) {
  const Result<TargetUrl> url = parse_target_url(text);
  REQUIRE_FALSE(url.has_value());
  return url.error().message;
}

TEST_CASE("a URL gives host, port and no prefix") {
  const Result<TargetUrl> url = parse_target_url("http://127.0.0.1:8001");
  REQUIRE(url.has_value());
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == 8001);
  CHECK(url->path_prefix.empty());
  CHECK(url->target("/v1/models") == "/v1/models");
  CHECK(url->to_string() == "http://127.0.0.1:8001");
}

TEST_CASE("a path prefix goes in front of the API path, without its trailing slash") {
  const Result<TargetUrl> url = parse_target_url("http://gateway:9000/team/llm/");
  REQUIRE(url.has_value());
  CHECK(url->path_prefix == "/team/llm");
  CHECK(url->target("/v1/chat/completions") == "/team/llm/v1/chat/completions");
}

TEST_CASE("an OpenAI base URL ending in /v1 names the same server") {
  const Result<TargetUrl> url = parse_target_url("http://localhost:8000/v1");
  REQUIRE(url.has_value());
  CHECK(url->path_prefix.empty());
  CHECK(url->target("/v1/models") == "/v1/models");
}

TEST_CASE("a bracketed IPv6 address keeps its colons out of the port") {
  const Result<TargetUrl> url = parse_target_url("http://[::1]:8001");
  REQUIRE(url.has_value());
  CHECK(url->host == "::1");
  CHECK(url->port == 8001);
  CHECK(url->authority() == "[::1]:8001");
}

TEST_CASE("URLs the load generator cannot use are refused with the reason") {
  CHECK(problem_with("127.0.0.1:8001").starts_with("the URL must start with http://"));
  CHECK(problem_with("https://api.example.com:443").starts_with("https is not supported"));
  CHECK(problem_with("http://localhost").starts_with("the port is missing"));
  CHECK(problem_with("http://localhost:0").starts_with("the port must be a number"));
  CHECK(problem_with("http://localhost:65536").starts_with("the port must be a number"));
  CHECK(problem_with("http://localhost:80a").starts_with("the port must be a number"));
  CHECK(problem_with("http://:8001").starts_with("the host is missing"));
  CHECK(problem_with("http://u:p@localhost:8001").starts_with("user info is not allowed"));
  CHECK(problem_with("http://localhost:8001/?x=1").starts_with("queries and fragments"));
  CHECK(problem_with("http://[::1]8001").starts_with("a bracketed IPv6 address"));
}

TEST_CASE("a refused URL's message shows the expected form and what was typed") {
  CHECK(problem_with("ftp://x:1") ==
        "the URL must start with http://; expected http://HOST:PORT[/PREFIX], got \"ftp://x:1\"");
}

}  // namespace
}  // namespace scoville::loadgen
