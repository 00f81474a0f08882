// `scoville serve` as a command: the command lines and config files it refuses before it
// listens, and how it stops.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/fleet_test_support.h"

namespace scoville::cli_test {
namespace {

// `scoville serve` with `args` exits 1 naming the problem, before it listens.
void check_serve_refuses(const std::vector<std::string>& args, const std::string& first_line_start,
                         const std::string& named) {
  std::vector<std::string> all = {"serve"};
  if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
    all.insert(all.end(), {"--listen", "127.0.0.1:0"});
  }
  all.insert(all.end(), args.begin(), args.end());
  const CommandResult result = run_scoville(all);
  check_input_error(result, first_line_start);
  CHECK_MESSAGE(result.stderr_text.find(named) != std::string::npos, describe(result));
}

TEST_CASE("serve refuses command lines it cannot run, naming the problem") {
  check_serve_refuses({}, "scoville serve: no backends", "--upstream");
  check_serve_refuses({"--upstream", "ftp://127.0.0.1:9"}, "scoville serve: --upstream",
                      "must start with http://");
  check_serve_refuses({"--upstream", "http://127.0.0.1"}, "scoville serve: --upstream",
                      "must name a host and a port");
  check_serve_refuses({"--upstream", "http://127.0.0.1:8001,class=efficent"},
                      "scoville serve: --upstream",
                      "unknown compute class \"efficent\" (did you mean \"efficient\"?)");
  check_serve_refuses({"--upstream", "http://127.0.0.1:8001,colour=red"},
                      "scoville serve: --upstream", "unknown key \"colour\"");
  check_serve_refuses({"--upstream", "http://127.0.0.1:8001", "--listen", "localhost"},
                      "scoville serve: --listen", "expected HOST:PORT");
  check_serve_refuses({"--upstream", "http://127.0.0.1:8001", "--admin-listen", "127.0.0.1:http"},
                      "scoville serve: --admin-listen", "expected HOST:PORT");
  check_serve_refuses(
      {"--upstream", "http://127.0.0.1:8001", "--upstream", "http://127.0.0.1:8001"},
      "scoville serve: two backends", "127.0.0.1:8001");
  check_serve_refuses({"--upstream", "http://127.0.0.1:8001", "--default-class", "cheap"},
                      "scoville serve: --default-class", "unknown compute class \"cheap\"");
}

TEST_CASE("a bad router section stops serve and fails config check, naming the key") {
  struct Case {
    nlohmann::json router;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{{"retries", {{"max_attemps", 3}}}}, "router.retries.max_attemps"},
      {{{"limits", {{"max_body_bytes", 10}}}}, "router.limits.max_body_bytes"},
      {{{"circuit_breaker", {{"cooldown_ms", -1}}}}, "router.circuit_breaker.cooldown_ms"},
      {{{"listen", "8080"}}, "router.listen"},
      {{{"default_class", "premium"}}, "router.default_class"},
      {{{"api_keys", {{"key-1", {{"default_class", "fast"}}}}}}, "router.api_keys.key-1"},
      {{{"health_check", {{"path", "healthz"}}}}, "router.health_check.path"},
  };
  for (const Case& c : cases) {
    INFO(c.router.dump());
    TempDir dir;
    const std::string file =
        dir.write_file("router.json", nlohmann::json{{"router", c.router}}.dump()).string();

    const CommandResult served = run_scoville({"serve", "--config", file, "--upstream",
                                               "http://127.0.0.1:8001", "--listen", "127.0.0.1:0"});
    check_input_error(served, "scoville serve: ");
    CHECK_MESSAGE(served.stderr_text.find(c.named) != std::string::npos, describe(served));

    const CommandResult checked = run_scoville({"config", "check", file});
    check_input_error(checked, "scoville config check: ");
    CHECK_MESSAGE(checked.stderr_text.find(c.named) != std::string::npos, describe(checked));
  }
}

TEST_CASE("SIGTERM lets a stream in flight finish before the router exits 0") {
  // Real time, with a pause after five tokens that keeps the stream open while the router is
  // told to stop.
  SimulatedBackend backend(
      {"--time-scale", "1", "--stall-after-tokens", "5", "--stall-ms", "1500"});
  Router router({.upstreams = {backend.url() + ",model=llama-3.1-8b"}});

  // A missing curl is reported here: inside the client thread a failed check could not stop
  // the test.
  REQUIRE(http_get(router.url("/healthz")).status == 200);
  HttpReply reply;
  std::thread client([&] {
    reply = http_post(router.url("/v1/chat/completions"),
                      chat_body("llama-3.1-8b", {{"stream", true}, {"max_tokens", 60}}));
  });
  const bool in_flight =
      poll_until([&] { return router.metric("scoville_router_in_flight") == 1.0; });
  const int exit_code = router.process().terminate();
  client.join();

  INFO(reply.describe());
  REQUIRE(in_flight);
  CHECK(exit_code == 0);
  CHECK(reply.status == 200);
  CHECK(reply.client_exit == 0);
  const std::vector<std::string> events = sse_data(reply.body);
  REQUIRE_FALSE(events.empty());
  CHECK(events.back() == "[DONE]");
  // 60 content chunks and the finish chunk before [DONE].
  CHECK(events.size() == 62);
}

}  // namespace
}  // namespace scoville::cli_test
