#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/background_process.h"

// Helpers for end-to-end tests of `scoville serve`: real backends (simulated or canned), a real
// router in front of them, and real HTTP clients (curl, Python's requests, raw sockets).
namespace scoville::cli_test {

using test_support::BackgroundProcess;

// Polls are a way to wait for a state, never an assertion on time: this deadline only stops a
// test that would otherwise hang.
inline constexpr std::chrono::seconds kPollDeadline{20};

// What an HTTP client saw. Header names are lower-cased; a repeated header keeps its last value.
struct HttpReply {
  int client_exit = -1;  // the client's exit code: 0 when the exchange completed
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string client_error;  // what the client said on stderr

  bool has_header(const std::string& lower_name) const { return headers.contains(lower_name); }
  std::string header(const std::string& lower_name) const;
  // The body parsed as JSON (discarded when it is not JSON).
  nlohmann::json json() const;
  // The reply in a few lines, for a failing check's context.
  std::string describe() const;
};

// Runs curl with `args` after --silent --show-error and a generous --max-time.
CommandResult curl(const std::vector<std::string>& args);

// A GET or a POST of `body` with curl, each extra header given as "Name: value". POSTs send
// Content-Type: application/json and no Expect: 100-continue.
HttpReply http_get(const std::string& url, const std::vector<std::string>& headers = {});
HttpReply http_post(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers = {});

// A POST with Python's requests library, reading a streamed body as it arrives.
HttpReply requests_post(const std::string& url, const std::string& body,
                        const std::vector<std::string>& headers = {});

// Sends `bytes` on a fresh connection to 127.0.0.1:`port` and returns everything the server
// sends until it closes the connection; a failed check if it is still open after 30 seconds.
std::string raw_exchange(int port, const std::string& bytes);

// The data of each `data:` event of an SSE body (without the "data: " prefix), in order.
std::vector<std::string> sse_data(const std::string& body);

// A chat completion body for `model`; `extra` fields are added after messages, in order.
std::string chat_body(const std::string& model, const nlohmann::ordered_json& extra = {});

// `scoville backend` on a free port, ten times faster than real time, unless `flags` gives
// its own --listen or --time-scale.
class SimulatedBackend {
 public:
  explicit SimulatedBackend(const std::vector<std::string>& flags = {});
  int port() const { return process_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  BackgroundProcess& process() { return process_; }

 private:
  BackgroundProcess process_;
};

// tests/cli/canned_sse_server.py: streams exactly `stream_bytes` (in odd-sized pieces) and
// answers non-streamed requests with exactly `json_bytes`, recording every request it gets.
class CannedBackend {
 public:
  CannedBackend(const std::string& stream_bytes, const std::string& json_bytes,
                const std::string& model = "canned");
  int port() const { return process_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  // The POSTs received so far, oldest first: {"method", "path", "headers": [[name, value]],
  // "body"}.
  std::vector<nlohmann::json> posts() const;

 private:
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> process_;
};

// A port on 127.0.0.1 where connections are refused: bound (so no one else takes it) but not
// listening, until release() lets a server take it.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void release();

 private:
  int fd_ = -1;
  int port_ = 0;
};

// How to start a router. `router` is the config file's router section and `backends` its
// backends array; `upstreams` are --upstream flags.
struct RouterSetup {
  std::vector<std::string> upstreams;
  nlohmann::json router = nlohmann::json::object();
  nlohmann::json backends = nlohmann::json::array();
  int workers = 1;
  std::vector<std::string> flags;  // more command-line flags
};

// `scoville serve` on free ports (client and admin), with its config file and access log in a
// temporary directory of its own.
class Router {
 public:
  explicit Router(const RouterSetup& setup);

  int port() const { return process_->port(); }
  int admin_port() const { return admin_port_; }
  std::string url(const std::string& path) const;
  std::string admin_url(const std::string& path) const;
  BackgroundProcess& process() { return *process_; }

  // The access log's lines so far, parsed.
  std::vector<nlohmann::json> access_log() const;
  // Waits until the access log has at least `count` lines and returns the last one.
  nlohmann::json wait_for_access_line(std::size_t count) const;
  // The backend called `name` in /admin/backends; stops the test case when there is none.
  nlohmann::json admin_backend(const std::string& name) const;
  // The value of an unlabelled series in /metrics, or -1 when it is absent.
  double metric(const std::string& series) const;

 private:
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> process_;
  int admin_port_ = 0;
};

// Waits until `done()` holds, checking every few milliseconds; false if it never did.
bool poll_until(const std::function<bool()>& done,
                std::chrono::milliseconds deadline = kPollDeadline);

}  // namespace scoville::cli_test
