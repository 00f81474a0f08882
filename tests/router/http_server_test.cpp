// The router's HTTP server, driven by curl and by raw sockets that misbehave on purpose.
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "router/asio.h"
#include "router/http_server.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::router {
namespace {

using test_support::CommandResult;
using test_support::run_command;

// A digest of `text`, to tell a body read whole from one cut or reordered.
std::uint64_t digest(std::string_view text) {
  std::uint64_t sum = 0;
  for (const char c : text) sum = sum * 31 + static_cast<unsigned char>(c);
  return sum;
}

// Answers /whole with a JSON body and /stream with three server-sent events; /threaded streams
// 200 events written from a thread of its own, and /late writes to its exchange after it has
// answered.
class TestHandler final : public HttpHandler {
 public:
  ~TestHandler() override {
    for (std::thread& writer : writers_) writer.join();
  }

  void handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) override {
    if (request.target() == "/threaded") {
      http::response<http::empty_body> header{http::status::ok, request.version()};
      header.set(http::field::content_type, "text/event-stream");
      exchange->begin_stream(std::move(header));
      writers_.emplace_back([exchange] {
        for (int i = 1; i <= 200; ++i) {
          exchange->write_chunk("data: " + std::to_string(i) + "\n\n");
        }
        exchange->end_stream();
      });
      return;
    }
    if (request.target() == "/fields" || request.target() == "/fields-threaded") {
      // Fields as views, answered on the server's thread or, posted, from another.
      const unsigned version = request.version();
      auto send = [exchange, version] {
        const std::string value = "from views";
        const std::vector<HeaderField> fields = {{"Content-Type", "text/event-stream"},
                                                 {"X-Test", value}};
        exchange->begin_stream_fields(200, version, fields);
        exchange->write_chunk("data: 1\n\n");
        exchange->end_stream();
      };
      if (request.target() == "/fields") {
        send();
      } else {
        writers_.emplace_back(send);
      }
      return;
    }
    if (request.target() == "/end-later") {
      // The end comes once the chunk before it is written, so it adds to an empty output.
      http::response<http::empty_body> header{http::status::ok, request.version()};
      exchange->begin_stream(std::move(header));
      exchange->write_chunk("data: 1\n\n", [exchange] { exchange->end_stream(); });
      return;
    }
    if (request.target() == "/late") {
      HttpResponse response{http::status::ok, request.version()};
      response.body() = "answered";
      response.prepare_payload();
      exchange->respond(std::move(response));
      exchange->write_chunk("data: too late\n\n");
      exchange->end_stream();
      return;
    }
    if (request.target() == "/stream") {
      http::response<http::empty_body> header{http::status::ok, request.version()};
      header.set(http::field::content_type, "text/event-stream");
      exchange->begin_stream(std::move(header));
      for (int i = 1; i <= 3; ++i) {
        exchange->write_chunk("data: " + std::to_string(i) + "\n\n");
      }
      exchange->end_stream();
      return;
    }
    if (request.target() == "/size") {
      // The body's length and a digest of it, to tell a body read whole from one cut.
      HttpResponse response{http::status::ok, request.version()};
      response.body() =
          std::to_string(request.body().size()) + " " + std::to_string(digest(request.body()));
      response.prepare_payload();
      exchange->respond(std::move(response));
      return;
    }
    HttpResponse response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"echo":")" + std::string(request.target()) + R"("})";
    response.prepare_payload();
    exchange->respond(std::move(response));
  }

 private:
  std::vector<std::thread> writers_;  // only the server thread touches the list
};

// A server on 127.0.0.1 and a free port, running on its own thread for the test's life.
class RunningServer {
 public:
  explicit RunningServer(HttpServerLimits limits = {})
      : server_(io_, std::make_shared<TestHandler>(), limits) {
    REQUIRE(server_.listen("127.0.0.1", 0).has_value());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningServer() {
    asio::post(io_, [this] { server_.stop_accepting(); });
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  std::uint16_t port() const { return server_.port(); }
  // Stops accepting, as a drain does, and returns once the server thread has done so.
  void stop_accepting() {
    std::promise<void> done;
    asio::post(io_, [&] {
      server_.stop_accepting();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  asio::io_context io_;
  HttpServer server_;
  std::thread thread_;
};

CommandResult curl(const std::vector<std::string>& args) {
  static const std::optional<std::string> program = test_support::find_program("curl");
  REQUIRE_MESSAGE(program.has_value(), "curl is not on PATH; scripts/bootstrap.sh installs it");
  std::vector<std::string> all = {"--silent", "--show-error", "--max-time", "10"};
  all.insert(all.end(), args.begin(), args.end());
  return run_command(*program, all, std::chrono::seconds(30));
}

// What the server says on `socket` until it closes the connection.
std::string read_until_closed(tcp::socket& socket) {
  std::string reply;
  beast::error_code ec;
  char buffer[4096];
  for (;;) {
    const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    if (ec) break;
    reply.append(buffer, n);
  }
  return reply;
}

// Sends `bytes` on a fresh connection, then reads what the server says until it closes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket, asio::buffer(bytes));
  return read_until_closed(socket);
}

TEST_CASE("a whole response reaches curl with its status and body") {
  RunningServer server;
  const CommandResult result = curl({"--write-out", "\n%{http_code}", server.url("/whole")});
  REQUIRE(result.exited_with(0));
  CHECK(result.stdout_text == "{\"echo\":\"/whole\"}\n200");
}

TEST_CASE("a streamed response arrives as server-sent events, byte for byte") {
  RunningServer server;
  const CommandResult result = curl({"--no-buffer", server.url("/stream")});
  REQUIRE(result.exited_with(0));
  CHECK(result.stdout_text == "data: 1\n\ndata: 2\n\ndata: 3\n\n");
}

TEST_CASE("a stream written from another thread arrives whole and in order") {
  RunningServer server;
  const CommandResult result = curl({"--no-buffer", server.url("/threaded")});
  REQUIRE(result.exited_with(0));
  std::string expected;
  for (int i = 1; i <= 200; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  CHECK(result.stdout_text == expected);
}

TEST_CASE("a stream begun from field views carries them, on the server's thread or off it") {
  RunningServer server;
  for (const std::string path : {"/fields", "/fields-threaded"}) {
    CAPTURE(path);
    const CommandResult result = curl({"--include", server.url(path)});
    REQUIRE(result.exited_with(0));
    CHECK(result.stdout_text.find("X-Test: from views\r\n") != std::string::npos);
    CHECK(result.stdout_text.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(result.stdout_text.ends_with("\r\n\r\ndata: 1\n\n"));
  }
  const std::string old_client = raw_exchange(server.port(), "GET /fields HTTP/1.0\r\n\r\n");
  CHECK(old_client.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  CHECK(old_client.find("chunked") == std::string::npos);
  CHECK(old_client.ends_with("\r\n\r\ndata: 1\n\n"));
}

TEST_CASE("writes to an exchange that has answered are dropped, not sent to the next request") {
  RunningServer server;
  const std::string reply = raw_exchange(server.port(),
                                         "GET /late HTTP/1.1\r\nHost: x\r\n\r\nGET /b "
                                         "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(reply.find("answered") != std::string::npos);
  CHECK(reply.find("{\"echo\":\"/b\"}") != std::string::npos);
  CHECK(reply.find("too late") == std::string::npos);
  CHECK(reply.find("HTTP/1.1 200 OK", reply.find("answered")) != std::string::npos);
}

TEST_CASE("an HTTP/1.0 client gets a stream unchunked, ended by the connection closing") {
  RunningServer server;
  const std::string reply = raw_exchange(server.port(), "GET /stream HTTP/1.0\r\n\r\n");
  CHECK(reply.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  CHECK(reply.find("chunked") == std::string::npos);
  const std::string body = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  REQUIRE(reply.size() > body.size());
  CHECK(reply.substr(reply.size() - body.size()) == body);
  CHECK(reply.find("\r\n\r\n") + 4 == reply.size() - body.size());
}

TEST_CASE("a stream ended after its last chunk was written still ends, chunked or not") {
  RunningServer server;
  const CommandResult result = curl({server.url("/end-later"), server.url("/whole")});
  REQUIRE(result.exited_with(0));
  CHECK(result.stdout_text == "data: 1\n\n{\"echo\":\"/whole\"}");
  const std::string old_client = raw_exchange(server.port(), "GET /end-later HTTP/1.0\r\n\r\n");
  CHECK(old_client.ends_with("\r\n\r\ndata: 1\n\n"));
}

TEST_CASE("a request that arrives a few bytes at a time is read whole") {
  RunningServer server;
  const std::string request =
      "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
      "hello world";
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  socket.set_option(tcp::no_delay(true));
  for (std::size_t at = 0; at < request.size(); at += 3) {
    asio::write(socket, asio::buffer(request.substr(at, 3)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const std::string reply = read_until_closed(socket);

  CHECK(reply.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(reply.ends_with("\r\n\r\n11 " + std::to_string(digest("hello world"))));
}

TEST_CASE("a body many reads long arrives whole") {
  RunningServer server;
  std::string body;
  for (int i = 0; i < 300'000; ++i) body += static_cast<char>('a' + (i * 7) % 26);
  const test_support::TempDir dir;
  const std::string path = dir.write_file("body.txt", body).string();

  const CommandResult result = curl({"--data-binary", "@" + path, server.url("/size")});

  REQUIRE(result.exited_with(0));
  CHECK(result.stdout_text == "300000 " + std::to_string(digest(body)));
}

TEST_CASE("keep-alive serves several requests on one connection") {
  RunningServer server;
  const CommandResult result =
      curl({"--verbose", server.url("/a"), server.url("/stream"), server.url("/b")});
  REQUIRE(result.exited_with(0));
  CHECK(result.stdout_text ==
        "{\"echo\":\"/a\"}data: 1\n\ndata: 2\n\ndata: 3\n\n{\"echo\":\"/b\"}");
  CHECK(result.stderr_text.find("Re-using existing connection") != std::string::npos);
}

TEST_CASE("a client that never finishes its headers gets 408 and the connection closes") {
  HttpServerLimits limits;
  limits.header_timeout = std::chrono::milliseconds(200);
  RunningServer server(limits);
  const std::string reply = raw_exchange(server.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n");
  CHECK(reply.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(reply.find("\"error\"") != std::string::npos);
}

TEST_CASE("oversized headers get 431") {
  HttpServerLimits limits;
  limits.max_header_bytes = 1024;
  RunningServer server(limits);
  const CommandResult result = curl({"--write-out", "%{http_code}", "--output", "/dev/null", "-H",
                                     "X-Big: " + std::string(4000, 'a'), server.url("/whole")});
  CHECK(result.stdout_text == "431");
}

TEST_CASE("an oversized body gets 413") {
  HttpServerLimits limits;
  limits.max_body_bytes = 100;
  RunningServer server(limits);
  const CommandResult result =
      curl({"--write-out", "%{http_code}", "--output", "/dev/null", "--data-binary",
            std::string(1000, 'x'), server.url("/whole")});
  CHECK(result.stdout_text == "413");
}

TEST_CASE("a malformed request gets 400 in OpenAI's error format") {
  RunningServer server;
  const std::string reply = raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(reply.find("\"code\":\"malformed_request\"") != std::string::npos);
  CHECK(reply.find("\"message\":\"malformed HTTP request") != std::string::npos);
}

TEST_CASE("once the server stops accepting, a kept-alive connection gets Connection: close") {
  RunningServer server;
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  beast::flat_buffer buffer;
  auto exchange = [&](const std::string& target) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  };

  const auto before = exchange("/whole");
  CHECK(before.keep_alive());

  server.stop_accepting();
  const auto during = exchange("/whole");
  CHECK(during.result() == http::status::ok);
  CHECK_FALSE(during.keep_alive());
  CHECK(during[http::field::connection] == "close");

  // And the server closes its end after that answer.
  char byte = 0;
  beast::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  CHECK(ec == asio::error::eof);
}

}  // namespace
}  // namespace scoville::router
