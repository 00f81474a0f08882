#include "tests/cli/fleet_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

namespace scoville::cli_test {
namespace {

// The longest any one client exchange may take; a safety net, not an expectation.
constexpr int kClientMaxSeconds = 30;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const std::string& python_program() {
  static const std::optional<std::string> program = test_support::find_program("python3");
  REQUIRE_MESSAGE(program.has_value(), "python3 is not on PATH; scripts/bootstrap.sh installs it");
  return *program;
}

// Splits what `curl --include` printed into the last header block and the body after it.
HttpReply parse_included(const CommandResult& result) {
  HttpReply reply;
  reply.client_exit = result.exit_code.value_or(-1);
  reply.client_error = result.stderr_text;
  std::string_view rest = result.stdout_text;
  while (rest.starts_with("HTTP/")) {
    const std::size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    std::istringstream lines{std::string(rest.substr(0, end))};
    std::string line;
    std::getline(lines, line);
    reply.status = std::stoi(line.substr(line.find(' ') + 1, 3));
    reply.headers.clear();
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      const std::size_t value = line.find_first_not_of(' ', colon + 1);
      reply.headers[lower(line.substr(0, colon))] =
          value == std::string::npos ? "" : line.substr(value);
    }
    rest = rest.substr(end + 4);
    // An interim 1xx answer is followed by the real one.
    if (reply.status >= 200) break;
  }
  reply.body = std::string(rest);
  return reply;
}

HttpReply curl_exchange(std::vector<std::string> args, const std::vector<std::string>& headers) {
  for (const std::string& header : headers) {
    args.push_back("-H");
    args.push_back(header);
  }
  return parse_included(curl(args));
}

// A requests client: argv is the URL, the body and the headers as a JSON object; it prints
// {"status", "headers", "body"} as JSON, the body read chunk by chunk as it arrives.
constexpr const char* kRequestsClient = R"(
import json, sys
import requests
url, body, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with requests.post(url, data=body.encode(), headers=headers, stream=True, timeout=30) as reply:
    data = b"".join(reply.iter_content(chunk_size=None))
    print(json.dumps({"status": reply.status_code, "headers": dict(reply.headers),
                      "body": data.decode("utf-8")}))
)";

}  // namespace

std::string HttpReply::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

nlohmann::json HttpReply::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpReply::describe() const {
  std::ostringstream out;
  out << "client exit " << client_exit << ", status " << status << "\n";
  for (const auto& [name, value] : headers) out << name << ": " << value << "\n";
  out << "\n" << body.substr(0, 4000);
  if (!client_error.empty()) out << "\nclient stderr: " << client_error;
  return out.str();
}

CommandResult curl(const std::vector<std::string>& args) {
  static const std::optional<std::string> program = test_support::find_program("curl");
  REQUIRE_MESSAGE(program.has_value(), "curl is not on PATH; scripts/bootstrap.sh installs it");
  std::vector<std::string> all = {"--silent", "--show-error", "--max-time",
                                  std::to_string(kClientMaxSeconds)};
  all.insert(all.end(), args.begin(), args.end());
  return run_command(*program, all);
}

HttpReply http_get(const std::string& url, const std::vector<std::string>& headers) {
  return curl_exchange({"--include", url}, headers);
}

HttpReply http_post(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers) {
  return curl_exchange({"--include", "--no-buffer", "-H", "Content-Type: application/json", "-H",
                        "Expect:", "--data-binary", body, url},
                       headers);
}

HttpReply requests_post(const std::string& url, const std::string& body,
                        const std::vector<std::string>& headers) {
  nlohmann::json header_object = {{"Content-Type", "application/json"}};
  for (const std::string& header : headers) {
    const std::size_t colon = header.find(':');
    header_object[header.substr(0, colon)] =
        header.substr(header.find_first_not_of(' ', colon + 1));
  }
  const CommandResult result =
      run_command(python_program(), {"-c", kRequestsClient, url, body, header_object.dump()});
  HttpReply reply;
  reply.client_exit = result.exit_code.value_or(-1);
  reply.client_error = result.stderr_text;
  nlohmann::json printed = nlohmann::json::parse(result.stdout_text, nullptr, false);
  if (!printed.is_object()) return reply;
  reply.status = printed["status"].get<int>();
  for (const auto& [name, value] : printed["headers"].items()) {
    reply.headers[lower(name)] = value.get<std::string>();
  }
  reply.body = printed["body"].get<std::string>();
  return reply;
}

std::string raw_exchange(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  timeval timeout{kClientMaxSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    FAIL("cannot connect to port " << port);
  }
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string reply;
  char buffer[4096];
  ssize_t received = 0;
  while ((received = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
    reply.append(buffer, static_cast<std::size_t>(received));
  }
  const bool timed_out = received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  ::close(fd);
  CHECK_MESSAGE(!timed_out, "the server kept the connection open after: " << reply);
  return reply;
}

std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> data;
  for (std::string line : lines_of(body)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.starts_with("data:")) continue;
    line.erase(0, line.starts_with("data: ") ? 6 : 5);
    data.push_back(std::move(line));
  }
  return data;
}

std::string chat_body(const std::string& model, const nlohmann::ordered_json& extra) {
  nlohmann::ordered_json body = {{"model", model},
                                 {"messages", {{{"role", "user"}, {"content", "Hello, router"}}}}};
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) body[key] = value;
  }
  return body.dump();
}

SimulatedBackend::SimulatedBackend(const std::vector<std::string>& flags)
    : process_(SCOVILLE_BINARY, [&] {
        // A flag may be given once only, so a default is added where `flags` has none.
        std::vector<std::string> args = {"backend"};
        for (const auto& [flag, value] :
             {std::pair{"--listen", "127.0.0.1:0"}, std::pair{"--time-scale", "0.1"}}) {
          if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
            args.insert(args.end(), {flag, value});
          }
        }
        args.insert(args.end(), flags.begin(), flags.end());
        return args;
      }()) {
  REQUIRE_MESSAGE(process_.port() > 0, "backend said: " << process_.first_line());
}

CannedBackend::CannedBackend(const std::string& stream_bytes, const std::string& json_bytes,
                             const std::string& model) {
  const std::string stream_file = dir_.write_file("stream.txt", stream_bytes).string();
  const std::string json_file = dir_.write_file("reply.json", json_bytes).string();
  process_ = std::make_unique<BackgroundProcess>(
      python_program(),
      std::vector<std::string>{std::string(SCOVILLE_SOURCE_DIR) + "/tests/cli/canned_sse_server.py",
                               "--stream-file", stream_file, "--json-file", json_file, "--record",
                               (dir_.path() / "requests.jsonl").string(), "--model", model});
  REQUIRE_MESSAGE(process_->port() > 0, "canned server said: " << process_->first_line());
}

std::vector<nlohmann::json> CannedBackend::posts() const {
  std::vector<nlohmann::json> posts;
  std::ifstream in(dir_.path() / "requests.jsonl");
  for (std::string line; std::getline(in, line);) {
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_object() && request["method"] == "POST") posts.push_back(std::move(request));
  }
  return posts;
}

RefusingPort::RefusingPort() {
  // Close-on-exec: a copy inherited by a server started later would keep the port bound.
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port_ = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort() { release(); }

void RefusingPort::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Router::Router(const RouterSetup& setup) {
  nlohmann::json config = {{"router", setup.router}};
  if (!setup.backends.empty()) config["backends"] = setup.backends;
  const std::string config_file = dir_.write_file("router.json", config.dump(2)).string();

  std::vector<std::string> args = {"serve",
                                   "--config",
                                   config_file,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--admin-listen",
                                   "127.0.0.1:0",
                                   "--workers",
                                   std::to_string(setup.workers),
                                   "--access-log",
                                   (dir_.path() / "access.jsonl").string()};
  for (const std::string& upstream : setup.upstreams) {
    args.push_back("--upstream");
    args.push_back(upstream);
  }
  args.insert(args.end(), setup.flags.begin(), setup.flags.end());
  process_ = std::make_unique<BackgroundProcess>(SCOVILLE_BINARY, args);
  REQUIRE_MESSAGE(process_->port() > 0, "router said: " << process_->first_line());

  static const std::regex kAdmin(R"(admin http://[^:/\s]+:(\d+))");
  std::smatch match;
  REQUIRE_MESSAGE(std::regex_search(process_->first_line(), match, kAdmin),
                  "no admin address in: " << process_->first_line());
  admin_port_ = std::stoi(match[1].str());
}

std::string Router::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::string Router::admin_url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(admin_port_) + path;
}

std::vector<nlohmann::json> Router::access_log() const {
  std::vector<nlohmann::json> lines;
  std::ifstream in(dir_.path() / "access.jsonl");
  for (std::string line; std::getline(in, line);) {
    lines.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return lines;
}

nlohmann::json Router::wait_for_access_line(std::size_t count) const {
  std::vector<nlohmann::json> lines;
  const bool arrived = poll_until([&] {
    lines = access_log();
    return lines.size() >= count;
  });
  REQUIRE_MESSAGE(arrived, "the access log has " << lines.size() << " lines, not " << count);
  return lines.back();
}

nlohmann::json Router::admin_backend(const std::string& name) const {
  nlohmann::json backends = http_get(admin_url("/admin/backends")).json();
  REQUIRE_MESSAGE(backends.is_object(), "/admin/backends did not answer JSON");
  for (const nlohmann::json& backend : backends["backends"]) {
    if (backend.value("name", "") == name) return backend;
  }
  FAIL("no backend " << name << " in " << backends.dump());
  return {};
}

double Router::metric(const std::string& series) const {
  const std::string metrics = http_get(admin_url("/metrics")).body;
  for (const std::string& line : lines_of(metrics)) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1.0;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const auto give_up_at = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up_at) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace scoville::cli_test
