// One call to a backend, against a scripted backend on 127.0.0.1 that answers in pieces,
// pauses, stalls or hangs up when told to. Both run on the test's own io_context.
#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "router/asio.h"
#include "router/connection_pool.h"
#include "router/upstream.h"
#include "router/upstream_call.h"

namespace scoville::router {
namespace {

using std::chrono::milliseconds;

// One step of an answer: wait, then send the bytes, then hang up if asked.
struct Step {
  milliseconds wait{0};
  std::string send;
  bool hang_up = false;
};
using Answer = std::vector<Step>;

// Accepts connections and answers each request it reads with the next scripted answer. A
// connection whose answer does not hang up reads the next request after it.
class ScriptedBackend {
 public:
  ScriptedBackend(asio::io_context& io, std::deque<Answer> answers)
      : acceptor_(io.get_executor(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        answers_(std::move(answers)) {
    accept();
  }
  ~ScriptedBackend() { stop(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    for (const std::shared_ptr<Connection>& connection : open_) connection->socket.close(ignored);
  }

 private:
  struct Connection {
    explicit Connection(TcpSocket accepted)
        : socket(std::move(accepted)), timer(socket.get_executor()) {}
    TcpSocket socket;
    SteadyTimer timer;
    std::string received;
    Answer answer;
    std::size_t step = 0;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, TcpSocket accepted) {
      if (ec) return;
      ++connections_;
      auto connection = std::make_shared<Connection>(std::move(accepted));
      open_.push_back(connection);
      read_request(connection);
      accept();
    });
  }

  // Reads until a whole request (its header and a Content-Length body) has arrived.
  void read_request(std::shared_ptr<Connection> connection) {
    const std::size_t header_end = connection->received.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      const std::size_t length_at = connection->received.find("Content-Length: ");
      const std::size_t length =
          length_at < header_end ? std::stoul(connection->received.substr(length_at + 16)) : 0;
      if (connection->received.size() >= header_end + 4 + length) {
        connection->received.erase(0, header_end + 4 + length);
        ++requests_;
        if (answers_.empty()) return;  // holds the connection, answering nothing
        connection->answer = std::move(answers_.front());
        answers_.pop_front();
        connection->step = 0;
        return run_step(connection);
      }
    }
    auto buffer = std::make_shared<std::array<char, 1024>>();
    connection->socket.async_read_some(
        asio::buffer(*buffer), [this, connection, buffer](beast::error_code ec, std::size_t n) {
          if (ec) return;
          connection->received.append(buffer->data(), n);
          read_request(connection);
        });
  }

  void run_step(std::shared_ptr<Connection> connection) {
    if (connection->step == connection->answer.size()) return read_request(connection);
    connection->timer.expires_after(connection->answer[connection->step].wait);
    connection->timer.async_wait([this, connection](beast::error_code ec) {
      if (ec) return;
      const Step& step = connection->answer[connection->step];
      asio::async_write(connection->socket, asio::buffer(step.send),
                        [this, connection](beast::error_code write_ec, std::size_t) {
                          if (write_ec) return;
                          const Step& done = connection->answer[connection->step++];
                          if (done.hang_up) {
                            beast::error_code ignored;
                            connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
                            connection->socket.close(ignored);
                            return;
                          }
                          run_step(connection);
                        });
    });
  }

  asio::basic_socket_acceptor<tcp, IoExecutor> acceptor_;
  std::deque<Answer> answers_;
  std::vector<std::shared_ptr<Connection>> open_;  // held open until stop()
  int connections_ = 0;
  int requests_ = 0;
};

// Records everything a call reports; can pause the call at its first body bytes.
class Recorder final : public CallListener {
 public:
  void on_header(const UpstreamResponseHeader& header) override { status = header.status(); }
  void on_body(std::string_view bytes) override {
    body += bytes;
    if (on_first_body) std::exchange(on_first_body, nullptr)();
  }
  void on_complete() override { completed = true; }
  void on_failure(CallFailure kind, const std::string& text, bool started) override {
    failure = kind;
    detail = text;
    response_started = started;
  }

  bool ended() const { return completed || failure.has_value(); }

  std::function<void()> on_first_body;
  unsigned status = 0;
  std::string body;
  bool completed = false;
  std::optional<CallFailure> failure;
  std::string detail;
  bool response_started = false;
};

const std::string kRequest =
    "POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n{}";

std::string chunk(std::string_view data) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string size;
  for (std::size_t n = data.size(); n > 0; n /= 16) size.insert(size.begin(), kHex[n % 16]);
  return size + "\r\n" + std::string(data) + "\r\n";
}

const std::string kStreamHeader =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

class CallFixture {
 public:
  explicit CallFixture(std::deque<Answer> answers)
      : backend_(io_, std::move(answers)),
        upstream_(UpstreamSpec{.name = "scripted", .host = "127.0.0.1", .port = backend_.port()},
                  CircuitBreakerPolicy{}) {}

  // Runs one call to its end (or for at most ten seconds) and returns what it reported.
  std::shared_ptr<Recorder> call(CallTimeouts timeouts, milliseconds total = milliseconds(10'000),
                                 std::function<void(UpstreamCall&)> on_first_body = nullptr) {
    auto recorder = std::make_shared<Recorder>();
    auto call = std::make_shared<UpstreamCall>(io_.get_executor(), pool_, upstream_, timeouts,
                                               std::chrono::steady_clock::now() + total, recorder);
    if (on_first_body) {
      recorder->on_first_body = [call, on_first_body] { on_first_body(*call); };
    }
    call->start(kRequest);
    const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!recorder->ended() && std::chrono::steady_clock::now() < give_up_at) {
      io_.run_one_for(milliseconds(100));
    }
    recorder->on_first_body = nullptr;
    return recorder;
  }

  asio::io_context& io() { return io_; }
  ScriptedBackend& backend() { return backend_; }
  ConnectionPool& pool() { return pool_; }

 private:
  asio::io_context io_{1};
  ScriptedBackend backend_;
  Upstream upstream_;
  ConnectionPool pool_{4, std::chrono::seconds(60)};
};

CallTimeouts short_timeouts() {
  CallTimeouts timeouts;
  timeouts.connect = milliseconds(2'000);
  timeouts.first_byte = milliseconds(150);
  timeouts.idle = milliseconds(150);
  return timeouts;
}

TEST_CASE("a chunked stream that arrives in pieces is relayed whole and its connection pooled") {
  const std::string events = "data: {\"a\":1}\n\ndata: [DONE]\n\n";
  Answer answer;
  answer.push_back({milliseconds(0), kStreamHeader.substr(0, 20)});
  answer.push_back({milliseconds(20), kStreamHeader.substr(20)});
  for (char c : chunk(events.substr(0, 9))) answer.push_back({milliseconds(1), std::string(1, c)});
  answer.push_back({milliseconds(20), chunk(events.substr(9)) + "0\r\n\r\n"});
  CallFixture fixture({answer});

  const auto result = fixture.call(short_timeouts());

  CHECK(result->completed);
  CHECK_FALSE(result->failure.has_value());
  CHECK(result->status == 200);
  CHECK(result->body == events);
  CHECK(fixture.pool().idle_count() == 1);
}

TEST_CASE("a backend that takes the request and never answers fails at the first-byte timeout") {
  CallFixture fixture({});

  const auto result = fixture.call(short_timeouts());

  REQUIRE(result->failure.has_value());
  CHECK(*result->failure == CallFailure::kFirstByteTimeout);
  CHECK_FALSE(result->response_started);
  CHECK(fixture.backend().requests() == 1);
}

TEST_CASE("a response that stops mid-body fails at the idle timeout after its first bytes") {
  CallFixture fixture({{{milliseconds(0), kStreamHeader + chunk("data: 1\n\n")}}});

  const auto result = fixture.call(short_timeouts());

  REQUIRE(result->failure.has_value());
  CHECK(*result->failure == CallFailure::kIdleTimeout);
  CHECK(result->response_started);
  CHECK(result->body == "data: 1\n\n");
  CHECK(fixture.pool().idle_count() == 0);
}

TEST_CASE("the idle timeout counts from the last read, not from the start of the call") {
  // Five gaps of 100 ms under a 150 ms idle limit: 500 ms in all, well past one limit.
  Answer answer{{milliseconds(0), kStreamHeader}};
  for (int i = 0; i < 5; ++i) answer.push_back({milliseconds(100), chunk("data: x\n\n")});
  answer.push_back({milliseconds(0), "0\r\n\r\n"});
  CallFixture fixture({answer});

  const auto result = fixture.call(short_timeouts());

  CHECK(result->completed);
  CHECK(result->body.size() == 5 * 9);
}

TEST_CASE("the request's deadline ends a call before its phase's own limit") {
  CallFixture fixture({});
  CallTimeouts patient;
  patient.first_byte = milliseconds(60'000);

  const auto result = fixture.call(patient, milliseconds(150));

  REQUIRE(result->failure.has_value());
  CHECK(*result->failure == CallFailure::kDeadline);
}

TEST_CASE("a paused call is not timed out while its client holds it back") {
  CallFixture fixture({{{milliseconds(0), kStreamHeader + chunk("data: 1\n\n")},
                        {milliseconds(50), chunk("data: 2\n\n") + "0\r\n\r\n"}}});
  SteadyTimer resume_timer(fixture.io().get_executor());

  // Paused for three idle limits, then resumed.
  const auto result = fixture.call(short_timeouts(), milliseconds(10'000), [&](UpstreamCall& call) {
    call.pause();
    resume_timer.expires_after(milliseconds(450));
    resume_timer.async_wait([&call](beast::error_code) { call.resume(); });
  });

  CHECK(result->completed);
  CHECK(result->body == "data: 1\n\ndata: 2\n\n");
}

TEST_CASE("a pooled connection the backend closed while idle is replaced without a failure") {
  const std::string whole = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  CallFixture fixture({{{milliseconds(0), whole, /*hang_up=*/true}}, {{milliseconds(0), whole}}});

  const auto first = fixture.call(short_timeouts());
  REQUIRE(first->completed);
  REQUIRE(fixture.pool().idle_count() == 1);
  // Let the backend's hang-up reach the pooled socket.
  fixture.io().run_for(milliseconds(50));

  const auto second = fixture.call(short_timeouts());

  CHECK(second->completed);
  CHECK(second->body == "ok");
  CHECK(fixture.backend().connections() == 2);
}

TEST_CASE("a body that runs until the backend hangs up ends cleanly and is not pooled") {
  CallFixture fixture({{{milliseconds(0), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart one, "},
                        {milliseconds(20), "part two", /*hang_up=*/true}}});

  const auto result = fixture.call(short_timeouts());

  CHECK(result->completed);
  CHECK(result->body == "part one, part two");
  CHECK(fixture.pool().idle_count() == 0);
}

TEST_CASE("a backend that hangs up mid-stream is a closed failure with the bytes it sent") {
  CallFixture fixture(
      {{{milliseconds(0), kStreamHeader + chunk("data: 1\n\n"), /*hang_up=*/true}}});

  const auto result = fixture.call(short_timeouts());

  REQUIRE(result->failure.has_value());
  CHECK(*result->failure == CallFailure::kClosed);
  CHECK(result->response_started);
  CHECK(result->body == "data: 1\n\n");
}

TEST_CASE("a response that is not HTTP is a protocol failure") {
  CallFixture fixture({{{milliseconds(0), "SSH-2.0-OpenSSH_9.2\r\n\r\n"}}});

  const auto result = fixture.call(short_timeouts());

  REQUIRE(result->failure.has_value());
  CHECK(*result->failure == CallFailure::kProtocol);
  CHECK_FALSE(result->response_started);
}

TEST_CASE("a backend that refuses connections is a connect failure") {
  asio::io_context probe;
  tcp::acceptor closed(probe, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = closed.local_endpoint().port();
  closed.close();
  asio::io_context io{1};
  Upstream upstream(UpstreamSpec{.name = "gone", .host = "127.0.0.1", .port = port},
                    CircuitBreakerPolicy{});
  ConnectionPool pool(4, std::chrono::seconds(60));
  auto recorder = std::make_shared<Recorder>();
  auto call = std::make_shared<UpstreamCall>(io.get_executor(), pool, upstream, short_timeouts(),
                                             std::chrono::steady_clock::now() + milliseconds(5'000),
                                             recorder);

  call->start(kRequest);
  io.run_for(std::chrono::seconds(5));

  REQUIRE(recorder->failure.has_value());
  CHECK(*recorder->failure == CallFailure::kConnect);
}

}  // namespace
}  // namespace scoville::router
