// `scoville backend`: a simulated OpenAI-compatible backend, exercised with curl.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

// The value of one series in a Prometheus text exposition, written as "name{labels}" (labels
// in the order the backend prints them); stops the test case when it is absent.
double series_value(const std::string& metrics, const std::string& series) {
  const std::size_t at = metrics.find("\n" + series + " ");
  REQUIRE_MESSAGE(at != std::string::npos, series << " is not in:\n" << metrics);
  return std::stod(metrics.substr(at + series.size() + 2));
}

const std::string kModelLabel = "{model_name=\"llama-3.1-8b\"}";

std::string bucket(const std::string& histogram, const std::string& le) {
  return histogram + "_bucket{model_name=\"llama-3.1-8b\",le=\"" + le + "\"}";
}

// The content events of a server-sent event stream, up to and including "[DONE]".
std::vector<std::string> events_of(const std::string& stream) {
  std::vector<std::string> events;
  std::size_t at = 0;
  while ((at = stream.find("data: ", at)) != std::string::npos) {
    const std::size_t end = stream.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    events.push_back(stream.substr(at + 6, end - at - 6));
    at = end;
  }
  return events;
}

// Connects to 127.0.0.1:`port`, sends a request and reads the answer: returns the errno the
// send or the read failed with (the socket reports a reset to whichever comes first), or 0
// when neither failed.
int error_after_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The kernel completes the handshake before the server accepts, so the connect succeeds.
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);

  int error = 0;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: backend\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    error = errno;
  } else {
    char buffer[256];
    if (::recv(fd, buffer, sizeof buffer, 0) < 0) error = errno;
  }
  ::close(fd);
  return error;
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
  const std::vector<std::string> events = events_of(result.stdout_text);
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

TEST_CASE("an added latency holds the first token at least that long and the stream completes") {
  Backend backend({"--added-latency-ms", "300"});
  const CommandResult result =
      curl({"--no-buffer", "-d", chat(5, true, false), backend.url("/v1/chat/completions")});
  const std::vector<std::string> events = events_of(result.stdout_text);
  REQUIRE(events.size() == 7);
  CHECK(events.back() == "[DONE]");

  // A timer never fires early, so no first token can come within 0.25 s: a bound, not a timing.
  const std::string metrics = curl({backend.url("/metrics")}).stdout_text;
  CHECK(series_value(metrics, "vllm:time_to_first_token_seconds_count" + kModelLabel) == 1);
  CHECK(series_value(metrics, bucket("vllm:time_to_first_token_seconds", "0.25")) == 0);
}

TEST_CASE("a stall pauses a stream once after its tokens, then it sends the rest") {
  Backend backend({"--stall-after-tokens", "3", "--stall-ms", "300"});
  const CommandResult result =
      curl({"--no-buffer", "-d", chat(10, true, true), backend.url("/v1/chat/completions")});
  require_success(result);
  const std::vector<std::string> events = events_of(result.stdout_text);
  // 10 content events, the finish event, the usage event, [DONE].
  REQUIRE(events.size() == 13);
  CHECK(nlohmann::json::parse(events[11])["usage"]["completion_tokens"] == 10);
  CHECK(events.back() == "[DONE]");

  // The gap after the third token spans the stall: at least one of the nine gaps is over
  // 0.2 s (a lower bound again; the others may be anything).
  const std::string metrics = curl({backend.url("/metrics")}).stdout_text;
  CHECK(series_value(metrics, "vllm:inter_token_latency_seconds_count" + kModelLabel) == 9);
  CHECK(series_value(metrics, bucket("vllm:inter_token_latency_seconds", "0.2")) <= 8);
}

TEST_CASE("a refuse rate of 1 resets every connection before any byte, and 0 serves them") {
  Backend refusing({"--refuse-rate", "1"});
  for (int attempt = 0; attempt < 3; ++attempt) {
    const CommandResult result = curl({"--write-out", "%{http_code}", refusing.url("/healthz")});
    // 56 "connection reset" or 52 "empty reply" when the reset meets the read, 55 when it meets
    // the send, and 7 when it lands before curl has checked its connect.
    CHECK_MESSAGE((result.exited_with(56) || result.exited_with(52) || result.exited_with(55) ||
                   result.exited_with(7)),
                  describe(result));
    CHECK(result.stdout_text == "000");
  }
  CHECK(error_after_connect(refusing.process().port()) == ECONNRESET);

  Backend serving({"--refuse-rate", "0"});
  CHECK(curl({serving.url("/healthz")}).stdout_text == R"({"status":"ok"})");
}

TEST_CASE("a refuse rate of one half refuses some connections and serves the others") {
  Backend backend({"--refuse-rate", "0.5", "--seed", "7"});
  int refused = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    refused += error_after_connect(backend.process().port()) == ECONNRESET ? 1 : 0;
  }
  // Each connection draws once from the seeded stream, so the split is the same on every run.
  CHECK(refused > 0);
  CHECK(refused < 20);
}

TEST_CASE("latency histograms count every completed request") {
  Backend backend;
  curl({"-d", chat(4, true, false), backend.url("/v1/chat/completions")});
  curl({"-d", chat(6, true, true), backend.url("/v1/chat/completions")});
  curl({"-d", chat(3, false, false), backend.url("/v1/chat/completions")});
  const std::string metrics = curl({backend.url("/metrics")}).stdout_text;

  CHECK(series_value(metrics, "vllm:time_to_first_token_seconds_count" + kModelLabel) == 3);
  CHECK(series_value(metrics, bucket("vllm:time_to_first_token_seconds", "+Inf")) == 3);
  CHECK(series_value(metrics, "vllm:e2e_request_latency_seconds_count" + kModelLabel) == 3);
  // One gap between each pair of successive tokens: 3 + 5 + 2.
  CHECK(series_value(metrics, "vllm:inter_token_latency_seconds_count" + kModelLabel) == 10);
  CHECK(series_value(metrics, "vllm:generation_tokens_total" + kModelLabel) == 13);
  // "Hello, backend" is 14 characters, 4 tokens, plus 4 for the message's framing.
  CHECK(series_value(metrics, "vllm:prompt_tokens_total" + kModelLabel) == 3 * 8);
  CHECK(series_value(metrics,
                     "vllm:request_success_total{finished_reason=\"length\","
                     "model_name=\"llama-3.1-8b\"}") == 3);
}

TEST_CASE("the metrics exposition passes promtool's checks") {
  const std::optional<std::string> promtool = test_support::find_program("promtool");
  if (!promtool) {
    MESSAGE("skipped: promtool is not on PATH (Debian's prometheus package has it)");
    return;
  }
  Backend backend;
  curl({"-d", chat(4, true, false), backend.url("/v1/chat/completions")});
  const CommandResult scrape = curl({"--fail", backend.url("/metrics")});
  require_success(scrape);
  REQUIRE(contains(scrape.stdout_text, "# TYPE vllm:time_to_first_token_seconds histogram"));

  TempDir dir;
  const std::string file = dir.write_file("metrics.txt", scrape.stdout_text).string();
  const CommandResult check =
      run_command("/bin/sh", {"-c", "\"$0\" check metrics < \"$1\"", *promtool, file});
  // 0 is clean; 3 means lint findings, and vLLM's own names draw one finding each for their
  // colon (kept on purpose, for drop-in compatibility). Anything else is a real problem.
  CHECK_MESSAGE((check.exited_with(0) || check.exited_with(3)), describe(check));
  for (const std::string& line : lines_of(check.stderr_text)) {
    CHECK_MESSAGE(line.starts_with("vllm:"), line);
    CHECK_MESSAGE(line.ends_with(" metric names should not contain ':'"), line);
  }
}

TEST_CASE("bad fault flags are refused with the flag named") {
  auto check_usage_error = [](const std::vector<std::string>& flags, const std::string& named) {
    std::vector<std::string> args = {"backend", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), flags.begin(), flags.end());
    const CommandResult result = run_scoville(args);
    CHECK_MESSAGE(result.exited_with(kExitUsageError), describe(result));
    CHECK_MESSAGE(contains(result.stderr_text, named), describe(result));
    CHECK(result.stdout_text.empty());
  };
  check_usage_error({"--added-latency-ms", "-5"}, "--added-latency-ms");
  check_usage_error({"--added-latency-ms", "soon"}, "--added-latency-ms");
  check_usage_error({"--stall-after-tokens", "3"}, "--stall-after-tokens requires --stall-ms");
  check_usage_error({"--stall-ms", "100"}, "--stall-ms requires --stall-after-tokens");
  check_usage_error({"--stall-after-tokens", "0", "--stall-ms", "100"}, "--stall-after-tokens");
  check_usage_error({"--stall-after-tokens", "3", "--stall-ms", "0"}, "--stall-ms");
  check_usage_error({"--refuse-rate", "1.5"}, "--refuse-rate");
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
