// The load generator against an in-process OpenAI-style server whose every reply is scripted.
#include "loadgen/load_generator.h"

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "router/asio.h"
#include "router/http_server.h"

namespace scoville::loadgen {
namespace {

namespace asio = router::asio;
namespace http = router::http;

// How the fake server answers one request.
enum class Reply {
  kStream,      // max_tokens content events, usage, [DONE]
  kWhole,       // one JSON completion with usage
  kStatus503,   // an OpenAI error with status 503
  kErrorEvent,  // a 200 stream whose second event is {"error": ...}
  kCutStream,   // two content events, then the connection drops
  kNoDone,      // content events and a clean end, but no [DONE]
  kHold,        // never answers
};

// Answers /v1/models and /v1/chat/completions as its script says, recording what it got.
class ScriptedHandler final : public router::HttpHandler {
 public:
  std::function<Reply(std::uint64_t index)> script = [](std::uint64_t) { return Reply::kStream; };
  bool close_connections = false;  // answer "Connection: close" to every request

  void handle(router::HttpRequest request,
              std::shared_ptr<router::HttpExchange> exchange) override {
    const unsigned version = request.version();
    if (request.target() == "/v1/models") {
      return exchange->respond(json_response(
          http::status::ok, {{"object", "list"}, {"data", {{{"id", "test-model"}}}}}, version));
    }
    const nlohmann::json body = nlohmann::json::parse(request.body());
    const int max_tokens = body.at("max_tokens").get<int>();
    std::uint64_t index = 0;
    {
      std::lock_guard lock(mutex_);
      index = requests_++;
      models_.push_back(body.at("model").get<std::string>());
      const auto compute_class = request["X-Compute-Class"];
      classes_.emplace_back(compute_class.data(), compute_class.size());
    }

    switch (script(index)) {
      case Reply::kStream:
        return stream(*exchange, version, max_tokens, /*with_done=*/true);
      case Reply::kNoDone:
        return stream(*exchange, version, max_tokens, /*with_done=*/false);
      case Reply::kWhole:
        return exchange->respond(json_response(
            http::status::ok,
            {{"choices", {{{"message", {{"role", "assistant"}, {"content", "hello there"}}}}}},
             {"usage", {{"completion_tokens", max_tokens}}}},
            version));
      case Reply::kStatus503:
        return exchange->respond(json_response(http::status::service_unavailable,
                                               {{"error", {{"message", "overloaded"}}}}, version));
      case Reply::kErrorEvent:
        begin(*exchange, version);
        exchange->write_chunk(content_event());
        exchange->write_chunk(R"(data: {"error":{"message":"engine died"}})"
                              "\n\n");
        return exchange->end_stream();
      case Reply::kCutStream:
        begin(*exchange, version);
        exchange->write_chunk(content_event());
        // Dropped only once the chunk is out: the server must not be writing while it closes.
        exchange->write_chunk(content_event(), [exchange] { exchange->abort(); });
        return;
      case Reply::kHold: {
        std::lock_guard lock(mutex_);
        held_.push_back(std::move(exchange));
        return;
      }
    }
  }

  std::uint64_t requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> models() const {
    std::lock_guard lock(mutex_);
    return models_;
  }
  std::vector<std::string> classes() const {
    std::lock_guard lock(mutex_);
    return classes_;
  }
  void release_held() {
    std::lock_guard lock(mutex_);
    held_.clear();
  }

 private:
  router::HttpResponse json_response(http::status status, const nlohmann::json& body,
                                     unsigned version) const {
    router::HttpResponse response{status, version};
    response.set(http::field::content_type, "application/json");
    response.keep_alive(!close_connections);
    response.body() = body.dump();
    response.prepare_payload();
    return response;
  }

  void begin(router::HttpExchange& exchange, unsigned version) const {
    http::response<http::empty_body> header{http::status::ok, version};
    header.set(http::field::content_type, "text/event-stream");
    header.keep_alive(!close_connections);
    exchange.begin_stream(std::move(header));
  }

  static std::string content_event() {
    return R"(data: {"choices":[{"index":0,"delta":{"content":"tok "}}]})"
           "\n\n";
  }

  void stream(router::HttpExchange& exchange, unsigned version, int tokens, bool with_done) const {
    begin(exchange, version);
    exchange.write_chunk(R"(data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]})"
                         "\n\n");
    for (int i = 0; i < tokens; ++i) exchange.write_chunk(content_event());
    exchange.write_chunk(R"(data: {"choices":[],"usage":{"completion_tokens":)" +
                         std::to_string(tokens) + "}}\n\n");
    if (with_done) exchange.write_chunk("data: [DONE]\n\n");
    exchange.end_stream();
  }

  mutable std::mutex mutex_;
  std::uint64_t requests_ = 0;
  std::vector<std::string> models_;
  std::vector<std::string> classes_;
  std::vector<std::shared_ptr<router::HttpExchange>> held_;
};

// The scripted server on 127.0.0.1 and a free port, on its own thread for the test's life.
class FakeServer {
 public:
  explicit FakeServer(router::HttpServerLimits limits = {})
      : handler_(std::make_shared<ScriptedHandler>()), server_(io_, handler_, limits) {
    REQUIRE(server_.listen("127.0.0.1", 0).has_value());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeServer() {
    // Held exchanges and the acceptor belong to the server's thread; let it drop them.
    std::promise<void> stopped;
    asio::post(io_, [&] {
      handler_->release_held();
      server_.stop_accepting();
      stopped.set_value();
    });
    stopped.get_future().wait();
    io_.stop();
    thread_.join();
  }

  ScriptedHandler& handler() { return *handler_; }

  BenchSpec spec(std::int64_t requests, int concurrency) const {
    BenchSpec spec;
    spec.url = *parse_target_url("http://127.0.0.1:" + std::to_string(server_.port()));
    spec.requests = requests;
    spec.concurrency = concurrency;
    spec.input_tokens.fixed_tokens = 10;
    spec.max_tokens.fixed_tokens = 5;
    spec.timeout_seconds = 10;
    return spec;
  }

 private:
  asio::io_context io_;
  std::shared_ptr<ScriptedHandler> handler_;
  router::HttpServer server_;
  std::thread thread_;
};

// A spec aimed at a port that was just free and has no listener: connecting is refused.
BenchSpec refused_spec() {
  asio::io_context io;
  router::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = probe.local_endpoint().port();
  probe.close();

  BenchSpec spec;
  spec.url = *parse_target_url("http://127.0.0.1:" + std::to_string(port));
  return spec;
}

BenchReport run(const BenchSpec& spec) {
  LoadGenerator generator(spec);
  Result<BenchReport> report = generator.run();
  REQUIRE_MESSAGE(report.has_value(), report.error().message);
  return *report;
}

std::uint64_t failures_of(const BenchReport& report, FailureKind kind) {
  return report.failures[static_cast<std::size_t>(kind)];
}

TEST_CASE("a closed loop sends the warm-up and the measured requests, and measures only these") {
  FakeServer server;
  BenchSpec spec = server.spec(20, 4);
  spec.warmup_requests = 3;
  spec.model = "given-model";

  const BenchReport report = run(spec);

  CHECK(server.handler().requests() == 23);
  CHECK(report.requests_ok == 20);
  CHECK(report.requests_failed == 0);
  CHECK(report.output_tokens == 20 * 5);
  CHECK(report.ttft.count == 20);
  CHECK(report.total.count == 20);
  CHECK(report.inter_token.count == 20 * 4);
  CHECK(report.output_tokens_per_second > 0.0);
  CHECK(server.handler().models().front() == "given-model");
}

TEST_CASE("without --model the first model the server lists is used") {
  FakeServer server;
  LoadGenerator generator(server.spec(2, 1));

  REQUIRE(generator.run().has_value());

  CHECK(generator.model() == "test-model");
  CHECK(server.handler().models() == std::vector<std::string>{"test-model", "test-model"});
}

TEST_CASE("the class mix puts an X-Compute-Class header on every request") {
  FakeServer server;
  BenchSpec spec = server.spec(40, 2);
  spec.model = "m";
  spec.class_mix = *ClassMix::parse("standard=1,low_latency=1");

  run(spec);

  const std::vector<std::string> classes = server.handler().classes();
  REQUIRE(classes.size() == 40);
  CHECK(std::count(classes.begin(), classes.end(), "standard") > 0);
  CHECK(std::count(classes.begin(), classes.end(), "low_latency") > 0);
  CHECK(std::count(classes.begin(), classes.end(), "standard") +
            std::count(classes.begin(), classes.end(), "low_latency") ==
        40);
}

TEST_CASE("error statuses, error events, cut streams and missing [DONE] are told apart") {
  FakeServer server;
  server.handler().script = [](std::uint64_t index) {
    constexpr Reply kCycle[] = {Reply::kStatus503, Reply::kErrorEvent, Reply::kCutStream,
                                Reply::kNoDone, Reply::kStream};
    return kCycle[index % std::size(kCycle)];
  };
  BenchSpec spec = server.spec(10, 1);
  spec.model = "m";

  const BenchReport report = run(spec);

  CHECK(report.requests_ok == 2);
  CHECK(failures_of(report, FailureKind::kHttp5xx) == 2);
  CHECK(report.failures_by_status == std::map<int, std::uint64_t>{{503, 2}});
  CHECK(failures_of(report, FailureKind::kStreamError) == 6);
  CHECK(report.first_error == "http_5xx: HTTP 503: overloaded");
  CHECK(report.output_tokens == 2 * 5);
}

TEST_CASE("a server that never answers times every request out, and the run still ends") {
  FakeServer server;
  server.handler().script = [](std::uint64_t) { return Reply::kHold; };
  BenchSpec spec = server.spec(3, 3);
  spec.model = "m";
  spec.timeout_seconds = 0.2;

  const BenchReport report = run(spec);

  CHECK(failures_of(report, FailureKind::kTimeout) == 3);
  CHECK(report.requests_ok == 0);
  CHECK(report.first_error.starts_with("timeout: no complete response within 0.2 s"));
}

TEST_CASE("whole replies count the usage block's tokens and have no TTFT") {
  FakeServer server;
  server.handler().script = [](std::uint64_t) { return Reply::kWhole; };
  BenchSpec spec = server.spec(6, 2);
  spec.model = "m";
  spec.stream = false;

  const BenchReport report = run(spec);

  CHECK(report.requests_ok == 6);
  CHECK(report.output_tokens == 6 * 5);
  CHECK(report.ttft.count == 0);
  CHECK(report.total.count == 6);
}

TEST_CASE("a server that closes every connection after its reply is reconnected to") {
  FakeServer server;
  server.handler().close_connections = true;
  BenchSpec spec = server.spec(12, 3);
  spec.model = "m";

  const BenchReport report = run(spec);

  CHECK(report.requests_ok == 12);
  CHECK(server.handler().requests() == 12);
}

TEST_CASE("a keep-alive socket the server closed while idle is reconnected, not a failure") {
  // The server drops connections idle for a millisecond; arrivals come about 20 ms apart, so
  // most requests find their socket closed by the server without a word.
  router::HttpServerLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(1);
  FakeServer server(limits);
  BenchSpec spec = server.spec(10, 1);
  spec.model = "m";
  spec.rate_per_second = 50.0;

  const BenchReport report = run(spec);

  CHECK(report.requests_ok == 10);
  CHECK(server.handler().requests() == 10);
}

TEST_CASE("an open loop sends the requested number of Poisson arrivals") {
  FakeServer server;
  BenchSpec spec = server.spec(15, 4);
  spec.model = "m";
  spec.rate_per_second = 500.0;
  spec.warmup_requests = 2;

  const BenchReport report = run(spec);

  CHECK(server.handler().requests() == 17);
  CHECK(report.requests_ok == 15);
}

TEST_CASE("a refused connection fails every request as connect, naming the cause") {
  BenchSpec spec = refused_spec();
  spec.model = "m";
  spec.requests = 5;
  spec.concurrency = 2;
  const BenchReport report = run(spec);

  CHECK(failures_of(report, FailureKind::kConnect) == 5);
  CHECK(report.first_error.find("connection refused") != std::string::npos);
}

TEST_CASE("a --duration run against a refused port backs off instead of spinning") {
  BenchSpec spec = refused_spec();
  spec.model = "m";
  spec.duration_seconds = 1.0;
  spec.concurrency = 4;
  const BenchReport report = run(spec);

  // Refused connects take microseconds: without a pause between them a second holds tens of
  // thousands. Waits of 5 ms doubling to 1 s leave a few dozen at most.
  CHECK(report.requests() > 0);
  CHECK(report.requests() < 200);
  CHECK(failures_of(report, FailureKind::kConnect) == report.requests());
}

TEST_CASE("the model lookup against a refused port fails the run with the cause") {
  BenchSpec spec = refused_spec();
  spec.requests = 1;
  LoadGenerator generator(spec);
  const Result<BenchReport> report = generator.run();

  REQUIRE_FALSE(report.has_value());
  CHECK(report.error().message.find("/v1/models") != std::string::npos);
  CHECK(report.error().message.find("connection refused") != std::string::npos);
}

}  // namespace
}  // namespace scoville::loadgen
