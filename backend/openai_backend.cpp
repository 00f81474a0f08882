#include "backend/openai_backend.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace scoville::backend {
namespace {

namespace http = boost::beast::http;

// Replies are made of these words, one per token, cycling.
constexpr const char* kFiller[] = {"Scoville ", "simulated ", "tokens ", "arrive ",
                                   "at ",       "the ",       "pace ",   "of ",
                                   "the ",      "device ",    "model. "};
constexpr std::int32_t kDefaultMaxTokens = 128;
constexpr double kCharactersPerToken = 4.0;

std::string filler(std::int64_t from, std::int32_t tokens) {
  std::string text;
  for (std::int64_t i = from; i < from + tokens; ++i) {
    text += kFiller[static_cast<std::size_t>(i) % std::size(kFiller)];
  }
  return text;
}

// Estimates the prompt's tokens from its text, as a tokenizer-free backend must.
std::int32_t prompt_tokens_of(const nlohmann::json& body, bool chat) {
  double characters = 0.0;
  std::int32_t overhead = 0;
  if (chat) {
    for (const auto& message : body.value("messages", nlohmann::json::array())) {
      overhead += 4;  // role and separators
      const auto content = message.find("content");
      if (content != message.end() && content->is_string()) {
        characters += static_cast<double>(content->get_ref<const std::string&>().size());
      }
    }
  } else if (body.contains("prompt") && body["prompt"].is_string()) {
    characters = static_cast<double>(body["prompt"].get_ref<const std::string&>().size());
  }
  return std::max<std::int32_t>(
      1, overhead + static_cast<std::int32_t>(std::ceil(characters / kCharactersPerToken)));
}

router::HttpResponse json_response(http::status status, const nlohmann::json& body,
                                   unsigned version) {
  router::HttpResponse response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = body.dump();
  response.prepare_payload();
  return response;
}

std::string sse(const nlohmann::json& chunk) { return "data: " + chunk.dump() + "\n\n"; }

}  // namespace

router::HttpResponse openai_error(http::status status, const std::string& message,
                                  const std::string& type, unsigned version) {
  return json_response(
      status,
      {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}},
      version);
}

OpenAiBackend::OpenAiBackend(std::string model, RealtimeEngine& engine, FaultSpec faults,
                             std::uint64_t seed)
    : model_(std::move(model)), engine_(engine), faults_(faults), random_(seed) {}

void OpenAiBackend::handle(router::HttpRequest request,
                           std::shared_ptr<router::HttpExchange> exchange) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  const unsigned version = request.version();
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;

  if (path == "/healthz" && get) {
    return exchange->respond(json_response(http::status::ok, {{"status", "ok"}}, version));
  }
  if (path == "/v1/models" && get) {
    return exchange->respond(
        json_response(http::status::ok,
                      {{"object", "list"},
                       {"data", {{{"id", model_}, {"object", "model"}, {"owned_by", "scoville"}}}}},
                      version));
  }
  if (path == "/metrics" && get) {
    const EngineStatus status = engine_.status();
    router::HttpResponse response{http::status::ok, version};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() =
        "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name=\"" + model_ +
        "\"} " + std::to_string(status.running) +
        "\n# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{model_name=\"" +
        model_ + "\"} " + std::to_string(status.waiting) +
        "\n# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name=\"" + model_ +
        "\"} " + std::to_string(status.kv_utilization) +
        "\n# TYPE vllm:num_preemptions_total counter\nvllm:num_preemptions_total{model_name=\"" +
        model_ + "\"} " + std::to_string(status.preemptions) + "\n";
    // TODO(#4): TTFT and inter-token latency histograms, as vLLM exports them.
    response.prepare_payload();
    return exchange->respond(std::move(response));
  }
  const bool chat = path == "/v1/chat/completions";
  if (chat || path == "/v1/completions") {
    if (!post) {
      return exchange->respond(openai_error(http::status::method_not_allowed,
                                            "use POST for " + path, "invalid_request_error",
                                            version));
    }
    return complete(request, chat, std::move(exchange));
  }
  exchange->respond(openai_error(http::status::not_found, "no route for " + path,
                                 "invalid_request_error", version));
}

void OpenAiBackend::complete(const router::HttpRequest& request, bool chat,
                             std::shared_ptr<router::HttpExchange> exchange) {
  const unsigned version = request.version();
  nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "the request body is not a JSON object",
                                          "invalid_request_error", version));
  }
  if (!body.contains("model") || !body["model"].is_string()) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "you must provide a model parameter",
                                          "invalid_request_error", version));
  }
  if (body["model"] != model_) {
    return exchange->respond(openai_error(http::status::not_found,
                                          "the model " + body["model"].get<std::string>() +
                                              " does not exist; this backend serves " + model_,
                                          "invalid_request_error", version));
  }
  const nlohmann::json limit = body.value(
      "max_completion_tokens", body.value("max_tokens", nlohmann::json(kDefaultMaxTokens)));
  if (!limit.is_number_integer() || limit.get<std::int64_t>() < 1 ||
      limit.get<std::int64_t>() > 1'000'000) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "max_tokens must be an integer between 1 and 1000000",
                                          "invalid_request_error", version));
  }
  const auto max_tokens = static_cast<std::int32_t>(limit.get<std::int64_t>());
  const std::int32_t prompt_tokens = prompt_tokens_of(body, chat);
  if (!engine_.fits(std::int64_t{prompt_tokens} + max_tokens)) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "prompt plus max_tokens exceed this backend's KV cache",
                                          "invalid_request_error", version));
  }

  // Injected faults come before any work, as an overloaded or failing server's would.
  const double draw = random_.uniform();
  if (draw < faults_.error_rate) {
    return exchange->respond(openai_error(http::status::internal_server_error,
                                          "injected failure (--error-rate)", "server_error",
                                          version));
  }
  if (draw < faults_.error_rate + faults_.rate_limit_rate) {
    router::HttpResponse limited =
        openai_error(http::status::too_many_requests, "injected rate limit (--rate-limit-rate)",
                     "rate_limit_error", version);
    limited.set(http::field::retry_after, std::to_string(faults_.retry_after_seconds));
    return exchange->respond(std::move(limited));
  }

  const bool stream = body.value("stream", false);
  const bool include_usage = stream && body.contains("stream_options") &&
                             body["stream_options"].is_object() &&
                             body["stream_options"].value("include_usage", false);
  const std::string id = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_completion_++);
  const auto created = static_cast<std::int64_t>(std::time(nullptr));
  const std::string object =
      chat ? (stream ? "chat.completion.chunk" : "chat.completion") : "text_completion";

  // Shared between the callbacks: what has been produced so far.
  struct State {
    std::int64_t produced = 0;
    std::string text;
    std::uint64_t engine_id = 0;
  };
  auto state = std::make_shared<State>();
  auto usage = [prompt_tokens, state] {
    return nlohmann::json{{"prompt_tokens", prompt_tokens},
                          {"completion_tokens", state->produced},
                          {"total_tokens", prompt_tokens + state->produced}};
  };
  auto chunk_of = [=, this](const std::string& content, bool first, bool last) {
    nlohmann::json choice = {
        {"index", 0}, {"finish_reason", last ? nlohmann::json("length") : nlohmann::json(nullptr)}};
    if (chat) {
      nlohmann::json delta = nlohmann::json::object();
      if (first) delta["role"] = "assistant";
      if (!last) delta["content"] = content;
      choice["delta"] = delta;
    } else {
      choice["text"] = last ? "" : content;
    }
    return nlohmann::json{{"id", id},
                          {"object", object},
                          {"created", created},
                          {"model", model_},
                          {"choices", {choice}}};
  };

  if (stream) {
    http::response<http::empty_body> header{http::status::ok, version};
    header.set(http::field::content_type, "text/event-stream");
    header.set(http::field::cache_control, "no-cache");
    exchange->begin_stream(std::move(header));
  }

  GenerationCallbacks callbacks;
  callbacks.on_tokens = [=, this](std::int32_t tokens) {
    if (exchange->client_gone()) {
      engine_.cancel(state->engine_id);
      return;
    }
    if (stream && faults_.drop_after_tokens > 0 && state->produced >= faults_.drop_after_tokens) {
      // An injected crash: the stream stops mid-way without its last chunk.
      engine_.cancel(state->engine_id);
      exchange->abort();
      return;
    }
    const std::string content = filler(state->produced, tokens);
    const bool first = state->produced == 0;
    state->produced += tokens;
    if (stream) {
      exchange->write_chunk(sse(chunk_of(content, first, false)));
    } else {
      state->text += content;
    }
  };
  callbacks.on_finished = [=, this](std::int32_t /*preemptions*/) {
    if (stream) {
      exchange->write_chunk(sse(chunk_of("", false, true)));
      if (include_usage) {
        exchange->write_chunk(sse({{"id", id},
                                   {"object", object},
                                   {"model", model_},
                                   {"choices", nlohmann::json::array()},
                                   {"usage", usage()}}));
      }
      exchange->write_chunk("data: [DONE]\n\n");
      exchange->end_stream();
      return;
    }
    nlohmann::json choice = {{"index", 0}, {"finish_reason", "length"}};
    if (chat) {
      choice["message"] = {{"role", "assistant"}, {"content", state->text}};
    } else {
      choice["text"] = state->text;
    }
    exchange->respond(json_response(http::status::ok,
                                    {{"id", id},
                                     {"object", object},
                                     {"model", model_},
                                     {"choices", {choice}},
                                     {"usage", usage()}},
                                    version));
  };
  state->engine_id = engine_.submit(prompt_tokens, max_tokens, 0, std::move(callbacks));
}

}  // namespace scoville::backend
