// `scoville backend`: a simulated OpenAI-compatible backend, exercised with curl.
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/background_process.h"

namespace scoville::cli_test {
namespace {

using test_support::BackgroundProcess;

// A backend ten times faster than real time, on a free port, with optional fault flags.
class Backend {
 public:
  explicit Backend(const std::vector<std::string>& faults = {})
      : process_(SCOVILLE_BINARY, with_faults(faults)) {
    REQUIRE_MESSAGE(process_.port() > 0, "backend said: " << process_.first_line());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(process_.port()) + path;
  }
  BackgroundProcess& process() { return process_; }

 private:
  static std::vector<std::string> with_faults(const std::vector<std::string>& faults) {
    std::vector<std::string> args = {"backend", "--listen", "127.0.0.1:0", "--time-scale", "0.1"};
    args.insert(args.end(), faults.begin(), faults.end());
    return args;
  }

  BackgroundProcess process_;
};

CommandResult curl(const std::vector<std::string>& args) {
  static const std::optional<std::string> program = test_support::find_program("curl");
  REQUIRE_MESSAGE(program.has_value(), "curl is not on PATH; scripts/bootstrap.sh installs it");
  std::vector<std::string> all = {"--silent", "--show-error", "--max-time", "20"};
  all.insert(all.end(), args.begin(), args.end());
  return run_command(*program, all);
}

std::string chat(int max_tokens, bool stream, bool usage) {
  nlohmann::json body = {{"model", "llama-3.1-8b"},
                         {"messages", {{{"role", "user"}, {"content", "Hello, backend"}}}},
                         {"max_tokens", max_tokens},
                         {"stream", stream}};
  if (usage) body["stream_options"] = {{"include_usage", true}};
  return body.dump();
}

TEST_CASE("the simulated backend answers health, models and a whole chat completion") {
  Backend backend;
  CHECK(curl({backend.url("/healthz")}).stdout_text == R"({"status":"ok"})");
  const nlohmann::json models =
      nlohmann::json::parse(curl({backend.url("/v1/models")}).stdout_text);
  CHECK(models["data"][0]["id"] == "llama-3.1-8b");

  const CommandResult result = curl({"-H", "Content-Type: application/json", "-d",
                                     chat(7, false, false), backend.url("/v1/chat/completions")});
  const nlohmann::json reply = nlohmann::json::parse(result.stdout_text);
  CHECK(reply["object"] == "chat.completion");
  CHECK(reply["usage"]["completion_tokens"] == 7);
  CHECK(reply["choices"][0]["message"]["role"] == "assistant");
  CHECK(reply["choices"][0]["finish_reason"] == "length");
}

TEST_CASE("a streamed completion sends one event per token, then usage and [DONE]") {
  Backend backend;
  const CommandResult result =
      curl({"--no-buffer", "-d", chat(5, true, true), backend.url("/v1/chat/completions")});
  std::vector<std::string> events;
  std::size_t at = 0;
  while ((at = result.stdout_text.find("data: ", at)) != std::string::npos) {
    const std::size_t end = result.stdout_text.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    events.push_back(result.stdout_text.substr(at + 6, end - at - 6));
    at = end;
  }
  // 5 content events, the finish event, the usage event, [DONE].
  REQUIRE(events.size() == 8);
  CHECK(events.back() == "[DONE]");
  const nlohmann::json first = nlohmann::json::parse(events[0]);
  CHECK(first["choices"][0]["delta"]["role"] == "assistant");
  CHECK(nlohmann::json::parse(events[5])["choices"][0]["finish_reason"] == "length");
  CHECK(nlohmann::json::parse(events[6])["usage"]["completion_tokens"] == 5);
}

TEST_CASE("the backend exposes vLLM-style gauges at /metrics") {
  Backend backend;
  const std::string metrics = curl({backend.url("/metrics")}).stdout_text;
  CHECK(contains(metrics, "vllm:num_requests_running{model_name=\"llama-3.1-8b\"} 0"));
  CHECK(contains(metrics, "vllm:kv_cache_usage_perc"));
}

TEST_CASE("bad requests get OpenAI errors with the right status") {
  Backend backend;
  auto status_of = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--output", "/dev/null", "--write-out", "%{http_code}"};
    all.insert(all.end(), args.begin(), args.end());
    return curl(all).stdout_text;
  };
  CHECK(status_of({"-d", "{not json", backend.url("/v1/chat/completions")}) == "400");
  CHECK(status_of({"-d", R"({"messages": []})", backend.url("/v1/chat/completions")}) == "400");
  CHECK(status_of({"-d", R"({"model": "other"})", backend.url("/v1/chat/completions")}) == "404");
  CHECK(status_of({backend.url("/v1/chat/completions")}) == "405");
  CHECK(status_of({backend.url("/nowhere")}) == "404");
}

TEST_CASE("an injected error rate answers 500 in OpenAI's error format") {
  Backend backend({"--error-rate", "1"});
  const CommandResult result = curl({"--write-out", "\n%{http_code}", "-d", chat(5, false, false),
                                     backend.url("/v1/chat/completions")});
  CHECK(contains(result.stdout_text, "\"type\":\"server_error\""));
  CHECK(result.stdout_text.ends_with("\n500"));
}

TEST_CASE("an injected rate limit answers 429 with Retry-After") {
  Backend backend({"--rate-limit-rate", "1", "--retry-after", "7"});
  const CommandResult result =
      curl({"--include", "-d", chat(5, false, false), backend.url("/v1/chat/completions")});
  CHECK(result.stdout_text.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(contains(result.stdout_text, "Retry-After: 7"));
}

TEST_CASE("an injected drop cuts a stream mid-way without its end") {
  Backend backend({"--drop-after-tokens", "3"});
  const CommandResult result =
      curl({"--no-buffer", "-d", chat(50, true, false), backend.url("/v1/chat/completions")});
  // curl reports the unfinished chunked body as an error.
  CHECK_FALSE(result.exited_with(0));
  CHECK(count_occurrences(result.stdout_text, "data: ") == 3);
  CHECK_FALSE(contains(result.stdout_text, "[DONE]"));
}

TEST_CASE("SIGTERM stops the backend cleanly") {
  Backend backend;
  CHECK(backend.process().terminate() == 0);
}

TEST_CASE("backend flags are checked before it listens") {
  const CommandResult result = run_scoville({"backend", "--device", "h10"});
  check_input_error(result, "scoville backend: --device: unknown device \"h10\"");
}

}  // namespace
}  // namespace scoville::cli_test
