// OpenAiBackend driven directly, with a recording exchange and a clock the test moves, so that
// the latencies it reports are exact.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/openai_backend.h"
#include "config/config.h"

namespace scoville::backend {
namespace {

namespace http = boost::beast::http;

simulator::StepCostModel h100_8b() {
  const config::Config config = *config::builtin_config();
  return *simulator::StepCostModel::create(
      simulator::EngineShape{*config.find_device("h100"), *config.find_model("llama-3.1-8b"), 1,
                             config::Precision::kBf16, config::Precision::kBf16, 0.9});
}

// What the backend sent on one exchange.
class RecordingExchange final : public router::HttpExchange {
 public:
  void respond(router::HttpResponse response) override { whole = std::move(response); }
  void begin_stream(http::response<http::empty_body> /*header*/) override { streaming = true; }
  void write_chunk(std::string data, std::function<void()> on_sent) override {
    chunks.push_back(std::move(data));
    if (on_sent) on_sent();
  }
  void end_stream() override { ended = true; }
  void abort() override { aborted = true; }
  bool client_gone() const override { return false; }

  std::optional<router::HttpResponse> whole;
  bool streaming = false;
  std::vector<std::string> chunks;
  bool ended = false;
  bool aborted = false;
};

// A backend on an engine 1000 times faster than real time whose clock reads `now_seconds`.
struct Fixture {
  explicit Fixture(FaultSpec faults = {})
      : engine(io.get_executor(), h100_8b(), scheduler::SchedulerConfig{},
               scheduler::SpeculativeConfig{}, 1, 0.001, [this] { return now_seconds; }),
        backend("llama-3.1-8b", engine, faults) {}

  std::shared_ptr<RecordingExchange> post_chat(int max_tokens, bool stream) {
    router::HttpRequest request{http::verb::post, "/v1/chat/completions", 11};
    request.body() = nlohmann::json{
        {"model", "llama-3.1-8b"},
        {"messages", {{{"role", "user"}, {"content", "Hello there"}}}},
        {"max_tokens", max_tokens},
        {"stream",
         stream}}.dump();
    request.prepare_payload();
    auto exchange = std::make_shared<RecordingExchange>();
    backend.handle(std::move(request), exchange);
    return exchange;
  }

  // Runs every handler, one simulated second apart: each engine step (and each injected hold)
  // then ends exactly one second after the one before.
  void run_one_second_apart() {
    for (;;) {
      now_seconds += 1.0;
      if (io.run_one() == 0) break;
    }
  }

  // The value of one series of /metrics, as "name{labels}"; fails the test when it is absent.
  double metric(const std::string& series) {
    router::HttpRequest request{http::verb::get, "/metrics", 11};
    auto exchange = std::make_shared<RecordingExchange>();
    backend.handle(std::move(request), exchange);
    REQUIRE(exchange->whole.has_value());
    const std::string& text = exchange->whole->body();
    const std::size_t at = text.find("\n" + series + " ");
    REQUIRE_MESSAGE(at != std::string::npos, series << " is not in:\n" << text);
    return std::stod(text.substr(at + series.size() + 2));
  }

  double now_seconds = 0.0;
  asio::io_context io;
  RealtimeEngine engine;
  OpenAiBackend backend;
};

const std::string kModel = "{model_name=\"llama-3.1-8b\"}";

TEST_CASE("a streamed completion reports its first token, token gaps and end on the engine clock") {
  Fixture f;
  const auto exchange = f.post_chat(5, true);
  f.run_one_second_apart();

  REQUIRE(exchange->ended);
  // One step prefills and samples the first token, four more decode one token each.
  CHECK(f.metric("vllm:time_to_first_token_seconds_count" + kModel) == 1);
  CHECK(f.metric("vllm:time_to_first_token_seconds_sum" + kModel) == 1.0);
  CHECK(f.metric("vllm:inter_token_latency_seconds_count" + kModel) == 4);
  CHECK(f.metric("vllm:inter_token_latency_seconds_sum" + kModel) == 4.0);
  CHECK(f.metric("vllm:e2e_request_latency_seconds_count" + kModel) == 1);
  CHECK(f.metric("vllm:e2e_request_latency_seconds_sum" + kModel) == 5.0);
  CHECK(f.metric("vllm:generation_tokens_total" + kModel) == 5);
  // "Hello there" is 11 characters, 3 tokens, plus 4 for the message's framing.
  CHECK(f.metric("vllm:prompt_tokens_total" + kModel) == 7);
  CHECK(f.metric(
            "vllm:request_success_total{finished_reason=\"length\",model_name=\"llama-3.1-8b\"}") ==
        1);
}

TEST_CASE("whole and streamed completions are measured alike") {
  Fixture f;
  const auto streamed = f.post_chat(3, true);
  const auto whole = f.post_chat(3, false);
  f.run_one_second_apart();

  REQUIRE(whole->whole.has_value());
  CHECK(whole->whole->result() == http::status::ok);
  // The first request's step was under way when the second arrived: the second's tokens come
  // at seconds 2 to 4, a step behind the first's (1 to 3).
  CHECK(f.metric("vllm:time_to_first_token_seconds_count" + kModel) == 2);
  CHECK(f.metric("vllm:time_to_first_token_seconds_sum" + kModel) == 1.0 + 2.0);
  CHECK(f.metric("vllm:inter_token_latency_seconds_count" + kModel) == 4);
  CHECK(f.metric("vllm:inter_token_latency_seconds_sum" + kModel) == 4.0);
  CHECK(f.metric("vllm:e2e_request_latency_seconds_sum" + kModel) == 3.0 + 4.0);
  CHECK(f.metric("vllm:generation_tokens_total" + kModel) == 6);
}

TEST_CASE("an added latency holds a completion and counts in its time to first token") {
  Fixture f(FaultSpec{.added_latency_ms = 1});
  const auto exchange = f.post_chat(2, true);
  CHECK_FALSE(exchange->streaming);
  f.run_one_second_apart();

  CHECK(exchange->ended);
  // The hold ends at second 1, the first step at second 2.
  CHECK(f.metric("vllm:time_to_first_token_seconds_sum" + kModel) == 2.0);
  CHECK(f.metric("vllm:e2e_request_latency_seconds_sum" + kModel) == 3.0);
}

TEST_CASE("a stalled stream still sends every token, in order, then its end") {
  Fixture f(FaultSpec{.stall_after_tokens = 2, .stall_ms = 1});
  const auto exchange = f.post_chat(6, true);
  f.run_one_second_apart();

  REQUIRE(exchange->ended);
  // Six content events, the finish event and [DONE].
  REQUIRE(exchange->chunks.size() == 8);
  std::string text;
  for (std::size_t i = 0; i < 6; ++i) {
    const nlohmann::json event = nlohmann::json::parse(exchange->chunks[i].substr(6));
    text += event["choices"][0]["delta"]["content"].get<std::string>();
  }
  CHECK(text == "Scoville simulated tokens arrive at the ");
  CHECK(exchange->chunks.back() == "data: [DONE]\n\n");
  CHECK(f.metric("vllm:inter_token_latency_seconds_count" + kModel) == 5);
}

TEST_CASE("a stream cut by an injected drop counts its tokens but no success") {
  Fixture f(FaultSpec{.drop_after_tokens = 2});
  const auto exchange = f.post_chat(5, true);
  f.run_one_second_apart();

  CHECK(exchange->aborted);
  CHECK_FALSE(exchange->ended);
  CHECK(exchange->chunks.size() == 2);
  CHECK(f.metric("vllm:generation_tokens_total" + kModel) == 2);
  CHECK(f.metric("vllm:time_to_first_token_seconds_count" + kModel) == 1);
  CHECK(f.metric("vllm:e2e_request_latency_seconds_count" + kModel) == 0);
}

TEST_CASE("the refuse rate decides which connections are served") {
  auto accepted_of_100 = [](double refuse_rate) {
    Fixture f(FaultSpec{.refuse_rate = refuse_rate});
    int accepted = 0;
    for (int i = 0; i < 100; ++i) accepted += f.backend.accept_connection() ? 1 : 0;
    return accepted;
  };
  CHECK(accepted_of_100(0.0) == 100);
  CHECK(accepted_of_100(1.0) == 0);
  const int half = accepted_of_100(0.5);
  CHECK(half > 0);
  CHECK(half < 100);
}

}  // namespace
}  // namespace scoville::backend
