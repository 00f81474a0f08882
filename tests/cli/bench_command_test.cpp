// `scoville bench` against a real `scoville backend`, and against servers that fail it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/background_process.h"

namespace scoville::cli_test {
namespace {

using test_support::BackgroundProcess;

// A simulated backend a hundred times faster than real time on a free port, with extra flags.
class FastBackend {
 public:
  explicit FastBackend(const std::vector<std::string>& flags = {})
      : process_(SCOVILLE_BINARY, with_flags(flags)) {
    REQUIRE_MESSAGE(process_.port() > 0, "backend said: " << process_.first_line());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(process_.port()); }

 private:
  static std::vector<std::string> with_flags(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"backend", "--listen", "127.0.0.1:0", "--time-scale", "0.01"};
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }

  BackgroundProcess process_;
};

CommandResult bench(const std::string& url, const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"bench", "--url", url};
  args.insert(args.end(), flags.begin(), flags.end());
  return run_scoville(args);
}

// The cells of a table row, split on runs of spaces.
std::vector<std::string> cells_of(const std::string& row) {
  std::istringstream in(row);
  std::vector<std::string> cells;
  for (std::string cell; in >> cell;) cells.push_back(cell);
  return cells;
}

double number_of(std::string cell) {
  std::erase(cell, ',');
  return std::stod(cell);
}

void check_percentiles_ordered(const nlohmann::json& latency, const std::string& name) {
  INFO(name << ": " << latency.dump());
  CHECK(latency["p50"].get<double>() > 0.0);
  CHECK(latency["p50"].get<double>() <= latency["p95"].get<double>());
  CHECK(latency["p95"].get<double>() <= latency["p99"].get<double>());
  CHECK(latency["p99"].get<double>() <= latency["max"].get<double>());
}

// A port on 127.0.0.1 with nothing listening, so that connecting is refused: one the kernel
// just handed out for a socket that is closed again.
int refused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  REQUIRE(bound);
  return ntohs(address.sin_port);
}

TEST_CASE("bench prints a table whose counts add up to --requests, with ordered percentiles") {
  FastBackend backend;
  const CommandResult result = bench(backend.url(), {"--requests", "40", "--concurrency", "4",
                                                     "--input-tokens", "64", "--max-tokens", "16"});
  require_success(result);

  const std::vector<std::string> lines = lines_of(result.stdout_text);
  REQUIRE(lines.size() >= 2);
  CHECK(contains(lines[0], "llama-3.1-8b"));
  CHECK(contains(lines[0], "streamed chat requests, closed loop of 4 connections"));
  CHECK(lines[1].starts_with("40 requests: 40 ok, 0 failed in "));

  const std::vector<std::string> rows = table_rows(result.stdout_text);
  for (const char* metric : {"TTFT", "ITL", "total"}) {
    const std::optional<std::string> row = row_starting_with(rows, metric);
    REQUIRE_MESSAGE(row.has_value(), result.stdout_text);
    const std::vector<std::string> cells = cells_of(*row);
    REQUIRE(cells.size() == 7);
    INFO(*row);
    CHECK(number_of(cells[1]) <= number_of(cells[2]));
    CHECK(number_of(cells[2]) <= number_of(cells[3]));
  }
  CHECK(cells_of(*row_starting_with(rows, "TTFT"))[6] == "40");
  CHECK(cells_of(*row_starting_with(rows, "ITL"))[6] == "600");
}

TEST_CASE("bench --format json reports a streamed run under the documented keys") {
  FastBackend backend;
  const nlohmann::json report = require_json_output(
      bench(backend.url(), {"--requests", "30", "--warmup", "5", "--concurrency", "8",
                            "--max-tokens", "uniform:8:24", "--format", "json", "--seed", "3"}));

  CHECK(report["requests"]["total"] == 30);
  CHECK(report["requests"]["ok"].get<int>() + report["requests"]["failed"].get<int>() == 30);
  CHECK(report["requests"]["ok"] == 30);
  CHECK(report["first_error"].is_null());
  CHECK(report["output_tokens"].get<int>() >= 30 * 8);
  CHECK(report["output_tokens"].get<int>() <= 30 * 24);
  CHECK(report["output_tokens_per_second"].get<double>() > 0.0);
  CHECK(report["requests_per_second"].get<double>() > 0.0);
  CHECK(report["ttft_ms"]["count"] == 30);
  check_percentiles_ordered(report["ttft_ms"], "ttft_ms");
  check_percentiles_ordered(report["total_ms"], "total_ms");
  CHECK(report["itl_ms"]["count"].get<int>() > 0);
  CHECK(report["settings"]["model"] == "llama-3.1-8b");
  CHECK(report["settings"]["warmup_requests"] == 5);
  CHECK(report["settings"]["stream"] == true);
}

TEST_CASE("bench --no-stream measures whole replies of the completions API") {
  FastBackend backend;
  const nlohmann::json report = require_json_output(
      bench(backend.url(), {"--requests", "12", "--no-stream", "--endpoint", "completions",
                            "--max-tokens", "10", "--format", "json"}));

  CHECK(report["requests"]["ok"] == 12);
  CHECK(report["output_tokens"] == 120);
  CHECK(report["ttft_ms"]["count"] == 0);
  CHECK(report["itl_ms"]["count"] == 0);
  CHECK(report["total_ms"]["count"] == 12);
  check_percentiles_ordered(report["total_ms"], "total_ms");
  CHECK(report["settings"]["endpoint"] == "completions");
}

TEST_CASE("bench --duration and --rate run an open loop for a while") {
  FastBackend backend;
  const nlohmann::json report =
      require_json_output(bench(backend.url(), {"--duration", "0.3", "--rate", "100",
                                                "--max-tokens", "4", "--format", "json"}));

  // About 30 arrivals; the count is the seed's, not a timing, but any run sends some.
  CHECK(report["requests"]["total"].get<int>() > 0);
  CHECK(report["requests"]["failed"] == 0);
  CHECK(report["settings"]["rate_per_second"] == 100.0);
  CHECK(report["settings"]["requests"].is_null());
}

TEST_CASE("bench counts the backend's injected 500s per status") {
  FastBackend backend({"--error-rate", "0.5", "--seed", "9"});
  const CommandResult result =
      bench(backend.url(), {"--requests", "40", "--max-tokens", "4", "--format", "json"});
  require_success(result);
  const nlohmann::json report = nlohmann::json::parse(result.stdout_text);

  const int failed = report["requests"]["failed"];
  CHECK(failed > 0);
  CHECK(report["requests"]["ok"].get<int>() + failed == 40);
  CHECK(report["failures"]["http_5xx"] == failed);
  CHECK(report["failures"]["by_status"]["500"] == failed);
  CHECK(report["first_error"].get<std::string>().starts_with("http_5xx: HTTP 500: "));
}

TEST_CASE("bench times out a stalled stream and exits 1 when every request failed") {
  FastBackend backend({"--stall-after-tokens", "2", "--stall-ms", "60000"});
  const CommandResult result = bench(backend.url(), {"--requests", "3", "--concurrency", "3",
                                                     "--timeout", "0.3", "--format", "json"});

  INFO(describe(result));
  CHECK(result.exited_with(kExitInputError));
  const nlohmann::json report = nlohmann::json::parse(result.stdout_text);
  CHECK(report["failures"]["timeout"] == 3);
  CHECK(lines_of(result.stderr_text).size() == 1);
  CHECK(
      result.stderr_text.starts_with("scoville bench: all 3 requests failed; first failure: "
                                     "timeout: no complete response within 0.3 s"));
}

TEST_CASE("bench against a refused port exits 1 with one line saying connection refused") {
  const std::string url = "http://127.0.0.1:" + std::to_string(refused_port());

  const CommandResult counted = bench(url, {"--model", "m", "--requests", "5"});
  INFO(describe(counted));
  CHECK(counted.exited_with(kExitInputError));
  CHECK(lines_of(counted.stderr_text).size() == 1);
  CHECK(contains(counted.stderr_text, "all 5 requests failed"));
  CHECK(contains(counted.stderr_text, "connection refused"));
  const std::optional<std::string> connect_row =
      row_starting_with(table_rows(counted.stdout_text), "connect");
  REQUIRE(connect_row.has_value());
  CHECK(cells_of(*connect_row) == std::vector<std::string>{"connect", "5"});

  // Without --model the lookup of the model list is what is refused.
  const CommandResult lookup = bench(url, {"--requests", "5"});
  INFO(describe(lookup));
  CHECK(lookup.exited_with(kExitInputError));
  CHECK(lookup.stdout_text.empty());
  CHECK(lines_of(lookup.stderr_text).size() == 1);
  CHECK(contains(lookup.stderr_text, "/v1/models"));
  CHECK(contains(lookup.stderr_text, "connection refused"));
}

TEST_CASE("bench flags with bad values exit 2 naming the flag, before any request") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--url", "localhost:8001"}, "--url: the URL must start with http://"},
      {{"--url", "http://localhost"}, "--url: the port is missing"},
      {{"--url", "http://127.0.0.1:1", "--concurrency", "0"}, "--concurrency: must be >= 1"},
      {{"--url", "http://127.0.0.1:1", "--requests", "ten"}, "--requests: must be a whole"},
      {{"--url", "http://127.0.0.1:1", "--rate", "0"}, "--rate: must be > 0"},
      {{"--url", "http://127.0.0.1:1", "--endpoint", "chats"}, "--endpoint: unknown endpoint"},
      {{"--url", "http://127.0.0.1:1", "--input-tokens", "normal:3"}, "--input-tokens: unknown"},
      {{"--url", "http://127.0.0.1:1", "--max-tokens", "0"}, "--max-tokens: must be >= 1"},
      {{"--url", "http://127.0.0.1:1", "--class-mix", "standard"}, "--class-mix: expected"},
      {{"--url", "http://127.0.0.1:1", "--header", "X-A"}, "--header: expected \"Name: value\""},
      {{"--url", "http://127.0.0.1:1", "--format", "csv"}, "--format: unknown format \"csv\""},
      {{"--url", "http://127.0.0.1:1", "--timeout", "0"}, "--timeout: must be > 0"},
      {{"--url", "http://127.0.0.1:1", "--requests", "5", "--duration", "1"}, "excludes"},
      {{"--url", "http://127.0.0.1:1", "--class-mix", "a=1", "--header", "X-Compute-Class: b"},
       "--class-mix and --header X-Compute-Class"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args = {"bench"};
    args.insert(args.end(), flags.begin(), flags.end());
    const CommandResult result = run_scoville(args);
    INFO(describe(result));
    CHECK(result.exited_with(kExitUsageError));
    CHECK(result.stdout_text.empty());
    CHECK(lines_of(result.stderr_text).size() == 1);
    CHECK(contains(result.stderr_text, message));
  }
}

}  // namespace
}  // namespace scoville::cli_test
